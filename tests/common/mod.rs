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

fn case_files(concept: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(concept);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files in {}", dir.display());
    files
}

fn read_rows(path: &Path) -> Vec<Value> {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let Value::Array(rows) = value else {
        panic!("{} must hold a JSON array of rows", path.display());
    };
    assert!(!rows.is_empty(), "{} has no rows", path.display());
    rows
}
