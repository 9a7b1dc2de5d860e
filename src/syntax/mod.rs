//! pest parsers, one module per grammar in `grammar/`.

pub mod template;
