//! YAML text → spanned [`Node`](crate::ir::Node) documents, with scalars resolved the way
//! Kubernetes resolves them (go-yaml v2 / YAML 1.1).
