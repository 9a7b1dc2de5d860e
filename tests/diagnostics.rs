//! Every kind of problem a policy or exception file can have, rendered as users see it
//! (`path:line:col: error: …`, the line, a caret, what was expected). One insta snapshot per
//! file of `tests/cases/diagnostics/`; each snapshot records the file it comes from.

use std::fs;
use std::path::Path;

use nomos::compile;
use nomos::diagnostic::{Diagnostic, Emitter};
use nomos::load::{self, inputs::policy_set};
use nomos::source::SourceMap;

/// Loads, decodes and compiles a file; renders every diagnostic found on the way.
fn rendered(relative: &str) -> String {
    let mut sources = SourceMap::new();
    let loaded = load::load_nodes(&[relative], &mut sources);
    let mut diagnostics: Vec<Diagnostic> = loaded.diagnostics.clone();
    if !loaded.has_errors() {
        match policy_set(&loaded) {
            Ok(ir) => diagnostics.extend(compile::compile(&ir).diagnostics),
            Err((_, found)) => diagnostics.extend(found),
        }
    }
    Emitter::plain(&sources).render_all(&diagnostics)
}

#[test]
fn every_case_file_has_a_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("invariant: the crate root exists");
    let mut files: Vec<String> = fs::read_dir("tests/cases/diagnostics")
        .expect("invariant: the case directory is in the repository")
        .filter_map(|e| e.ok())
        .map(|e| {
            format!(
                "tests/cases/diagnostics/{}",
                e.file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "expected the diagnostic case files, found {files:?}"
    );
    for file in files {
        let input = fs::read_to_string(&file).unwrap_or_default();
        let output = rendered(&file);
        assert!(!output.is_empty(), "{file} produced no diagnostic");
        let name = Path::new(&file)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        insta::with_settings!({ description => format!("{file}:\n{input}"), omit_expression => true }, {
            insta::assert_snapshot!(name, output);
        });
    }
}
