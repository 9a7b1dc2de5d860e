//! Reading input: files, directories and stdin into spanned YAML/JSON documents
//! (`yaml`), then Kyverno documents into the IR.

pub mod kyverno;
pub mod yaml;
