//! What the criterion benches share: the compiled shipped pack, and the representative
//! generated resources (fixed seed) they measure.

use std::path::PathBuf;

use nomos::bench::generate;
use nomos::compile::{self, PolicySet};
use nomos::load::{self, inputs::policy_set};
use nomos::source::SourceMap;
use serde_json::Value;

const SEED: u64 = 1;
/// How many generated resources the representative ones are picked from.
const POOL: usize = 100;

pub fn compiled_pack() -> PolicySet {
    let paths = [PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies")];
    let loaded = load::load_nodes(&paths, &mut SourceMap::new());
    assert!(!loaded.has_errors(), "the shipped pack loads");
    compile::compile(&policy_set(&loaded).expect("the shipped pack decodes"))
}

/// A representative resource: its name in the bench, its position in the generated pool
/// and the resource.
pub struct Sample {
    pub name: &'static str,
    /// Each bench binary compiles this module alone; not every one reads the position.
    #[allow(dead_code)]
    pub index: usize,
    pub resource: Value,
}

/// A pod with 1 container, one with 5, a Deployment and a CronJob, each the first of its
/// kind in the pool (picked by what they are, not by position).
pub fn samples() -> Vec<Sample> {
    let pool = generate::resources(POOL, SEED);
    let pick = |name, kind: &str, count: Option<usize>| {
        let (index, resource) = pool
            .iter()
            .enumerate()
            .find(|(_, r)| r["kind"] == kind && count.is_none_or(|n| containers(r) == n))
            .expect("the generator makes every kind picked here");
        Sample {
            name,
            index,
            resource: resource.clone(),
        }
    };
    vec![
        pick("pod_1_container", "Pod", Some(1)),
        pick("pod_5_containers", "Pod", Some(5)),
        pick("deployment", "Deployment", None),
        pick("cronjob", "CronJob", None),
    ]
}

fn containers(resource: &Value) -> usize {
    let spec = match resource["kind"].as_str() {
        Some("Deployment") => &resource["spec"]["template"]["spec"],
        Some("CronJob") => &resource["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &resource["spec"],
    };
    spec["containers"].as_array().map_or(0, Vec::len)
}
