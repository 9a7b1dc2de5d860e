//! Input paths → source files registered in a [`SourceMap`]: a file is read whatever its
//! name, a directory is walked recursively in sorted order (`.yaml`, `.yml`, `.json`;
//! hidden names skipped, as the kyverno CLI skips them), `-` is standard input. Every
//! unreadable input is a diagnostic; reading goes on with the next one.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, Span};

/// File extensions picked up when walking a directory.
const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// The name standard input gets in diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads every input into `sources`; returns the files that hold text to parse, in order.
pub fn read_sources(
    paths: &[impl AsRef<Path>],
    sources: &mut SourceMap,
) -> (Vec<FileId>, Vec<Diagnostic>) {
    read_sources_with_stdin(paths, &mut std::io::stdin().lock(), sources)
}

/// [`read_sources`] with `-` read from `stdin`.
pub fn read_sources_with_stdin(
    paths: &[impl AsRef<Path>],
    stdin: &mut dyn Read,
    sources: &mut SourceMap,
) -> (Vec<FileId>, Vec<Diagnostic>) {
    let mut reader = Reader {
        sources,
        stdin,
        files: Vec::new(),
        diagnostics: Vec::new(),
    };
    for path in paths {
        reader.input(path.as_ref());
    }
    (reader.files, reader.diagnostics)
}

struct Reader<'a> {
    sources: &'a mut SourceMap,
    stdin: &'a mut dyn Read,
    files: Vec<FileId>,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn input(&mut self, path: &Path) {
        if path == Path::new("-") {
            return self.stdin();
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => self.directory(path, &mut Vec::new()),
            Ok(_) => self.file(path),
            Err(error) => self.cannot_read(path, &error),
        }
    }

    fn stdin(&mut self) {
        let mut bytes = Vec::new();
        match self.stdin.read_to_end(&mut bytes) {
            Ok(_) => self.register(STDIN_NAME.to_string(), bytes),
            Err(error) => self.cannot_read(Path::new(STDIN_NAME), &error),
        }
    }

    /// Walks `dir`; `ancestors` holds the directories being walked, so a symbolic link
    /// back to one of them is not followed forever.
    fn directory(&mut self, dir: &Path, ancestors: &mut Vec<PathBuf>) {
        let real = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if ancestors.contains(&real) {
            return;
        }
        let entries = match sorted_entries(dir) {
            Ok(entries) => entries,
            Err(error) => return self.cannot_read(dir, &error),
        };
        ancestors.push(real);
        for path in entries {
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.directory(&path, ancestors),
                Ok(_) if has_input_extension(&path) => self.file(&path),
                Ok(_) => {}
                Err(error) => self.cannot_read(&path, &error),
            }
        }
        ancestors.pop();
    }

    fn file(&mut self, path: &Path) {
        match fs::read(path) {
            Ok(bytes) => self.register(path.display().to_string(), bytes),
            Err(error) => self.cannot_read(path, &error),
        }
    }

    /// Registers the text; a file that is not UTF-8 is registered (so the diagnostic can
    /// point into it) but not handed on for parsing.
    fn register(&mut self, name: String, bytes: Vec<u8>) {
        match String::from_utf8(bytes) {
            Ok(text) => self.files.push(self.sources.add(name, text)),
            Err(error) => {
                let at = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let id = self.sources.add(name, text);
                self.diagnostics.push(
                    Diagnostic::error("the file is not valid UTF-8 text")
                        .at(Span::new(
                            id,
                            at,
                            at + char::REPLACEMENT_CHARACTER.len_utf8(),
                        ))
                        .with_label("expected UTF-8 here"),
                );
            }
        }
    }

    fn cannot_read(&mut self, path: &Path, error: &std::io::Error) {
        self.diagnostics.push(Diagnostic::error(format!(
            "cannot read `{}`: {error}",
            path.display()
        )));
    }
}

/// The visible entries of a directory, sorted by name.
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            entries.push(entry.path());
        }
    }
    entries.sort();
    Ok(entries)
}

fn has_input_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}
