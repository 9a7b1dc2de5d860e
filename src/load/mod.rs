//! Reading input: files, directories and stdin into spanned YAML/JSON documents
//! (`yaml`), then Kyverno documents into the IR.

pub(crate) mod fields;
pub mod kyverno;
pub mod testsuite;
pub mod yaml;
