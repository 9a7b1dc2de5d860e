//! A test's stand-ins for a cluster, loaded (cli-test.md §2, §4): the fake cluster from
//! `clusterResources` files (their objects, the CRDs they name, and the test's own
//! resources), the `apiCallResponses` mocks and the `globalContextEntries` mocks with the
//! objects of their `resourceFiles`.

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::engine::offline::{Cluster, Offline};
use crate::ir::offline::{Crd, GlobalMock};
use crate::load::testsuite::TestDoc;
use crate::load::{self, offline};
use crate::source::{SourceMap, Spanned};

/// Why the stand-ins could not be loaded, and what was found wrong.
pub type LoadError = (String, Vec<Diagnostic>);

/// The run's [`Offline`] and warnings. `resources` are the test's own resources: the fake
/// cluster holds them too.
pub fn load(
    dir: &Path,
    doc: &TestDoc,
    resources: &[Value],
    sources: &mut SourceMap,
) -> Result<(Offline, Vec<Diagnostic>), LoadError> {
    let mut warnings = Vec::new();
    let mut offline = Offline::default().with_api_mocks(doc.api_call_responses.clone());
    if !doc.cluster_resources.is_empty() {
        let (objects, crds) = cluster_files(dir, &doc.cluster_resources, sources, &mut warnings)?;
        let all = resources.iter().cloned().chain(objects).collect();
        offline = offline.with_cluster(Cluster::new(all, crds));
    }
    let files = doc
        .global_context_entries
        .iter()
        .map(|mock| global_files(dir, mock, sources))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        offline.with_globals(&doc.global_context_entries, &files),
        warnings,
    ))
}

fn cluster_files(
    dir: &Path,
    paths: &[Spanned<String>],
    sources: &mut SourceMap,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Vec<Value>, Vec<Crd>), LoadError> {
    // Test-relative; an absolute path is honoured (cli-test.md §4).
    let files: Vec<PathBuf> = paths.iter().map(|p| dir.join(&p.node)).collect();
    let loaded = load::load_nodes(&files, sources);
    if loaded.has_errors() {
        return Err((
            "cluster resources could not be loaded".into(),
            loaded.diagnostics,
        ));
    }
    let mut objects = Vec::new();
    let mut crds = Vec::new();
    for node in &loaded.documents {
        let doc = offline::cluster_resource(node)
            .map_err(|ds| ("cluster resources are not valid".to_string(), ds))?;
        objects.extend(doc.resources);
        for path in &doc.crds {
            crds.extend(crd_file(dir, path, sources, warnings)?);
        }
    }
    Ok((objects, crds))
}

/// The CRDs of one file. A missing file is tolerated with a warning: resource names of its
/// kinds are then guessed from the kind, as Kubernetes does by default.
fn crd_file(
    dir: &Path,
    path: &Spanned<String>,
    sources: &mut SourceMap,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<Crd>, LoadError> {
    let file = dir.join(&path.node);
    if !file.exists() {
        warnings.push(
            Diagnostic::warning(format!(
                "CRD file {} not found: resource names are guessed from kinds",
                file.display()
            ))
            .at(path.span),
        );
        return Ok(Vec::new());
    }
    let loaded = load::load_nodes(&[file], sources);
    if loaded.has_errors() {
        return Err(("CRDs could not be loaded".into(), loaded.diagnostics));
    }
    Ok(loaded.documents.iter().filter_map(offline::crd).collect())
}

/// The objects of a mock's `resourceFiles`, always under the test directory: a path may be
/// neither absolute nor leave it (cli-test.md §4).
fn global_files(
    dir: &Path,
    mock: &GlobalMock,
    sources: &mut SourceMap,
) -> Result<Vec<Value>, LoadError> {
    let mut objects = Vec::new();
    for file in &mock.resource_files {
        let path = Path::new(&file.node);
        let escapes = path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes {
            let message = format!(
                "globalContextEntries {:?} resourceFiles {:?}: the path must be relative and stay inside the test directory",
                mock.name, file.node
            );
            // The path's span belongs to the test file, read apart from the suite's sources.
            return Err((message, Vec::new()));
        }
        let loaded = load::load_values(&[dir.join(path)], sources);
        if loaded.has_errors() {
            let message = format!(
                "globalContextEntries {:?} resourceFiles {:?} could not be loaded",
                mock.name, file.node
            );
            return Err((message, loaded.diagnostics));
        }
        objects.extend(loaded.documents.into_iter().map(|d| d.node));
    }
    Ok(objects)
}
