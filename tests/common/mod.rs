//! The case files the data-driven test binaries share: every row of
//! `tests/cases/<concept>/*.json`, with the file it comes from.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One row of a case file.
pub struct CaseRow {
    /// The file's name without `.json`.
    pub file: String,
    /// The row's position in its file.
    pub index: usize,
    pub row: Value,
}

impl CaseRow {
    /// `<file>::<the row's name, else its index>`, the name of its trial.
    #[allow(
        dead_code,
        reason = "each test binary compiles this module; some name trials their own way"
    )]
    pub fn name(&self) -> String {
        let name = self.row["name"]
            .as_str()
            .map_or(self.index.to_string(), str::to_string);
        format!("{}::{name}", self.file)
    }
}

/// Every row of every `*.json` file of `tests/cases/<concept>`, files in name order. There
/// must be at least one file, and each must hold a non-empty JSON array.
#[allow(
    dead_code,
    reason = "each test binary compiles this module; some read whole files"
)]
pub fn case_rows(concept: &str) -> Vec<CaseRow> {
    let mut rows = Vec::new();
    for path in case_files(concept) {
        let file = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        for (index, row) in read_rows(&path).into_iter().enumerate() {
            rows.push(CaseRow {
                file: file.clone(),
                index,
                row,
            });
        }
    }
    rows
}

/// The JSON of `tests/cases/<concept>/<name>`.
#[allow(
    dead_code,
    reason = "each test binary compiles this module; some read rows only"
)]
pub fn case_file(concept: &str, name: &str) -> Value {
    read_json(&case_dir(concept).join(name))
}

fn case_dir(concept: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(concept)
}

fn case_files(concept: &str) -> Vec<PathBuf> {
    let dir = case_dir(concept);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files in {}", dir.display());
    files
}

/// The JSON of a file; a file that cannot be read or parsed fails the test binary, naming it.
pub fn read_json(path: &Path) -> Value {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn read_rows(path: &Path) -> Vec<Value> {
    let Value::Array(rows) = read_json(path) else {
        panic!("{} must hold a JSON array of rows", path.display());
    };
    assert!(!rows.is_empty(), "{} has no rows", path.display());
    rows
}
