//! The cost of the shipped pack's `validate.podSecurity` subrules (baseline and restricted,
//! with and without exclusions) on a few generated resources (fixed seed): pod extraction,
//! the checks, exclusions and the failure message, without matching or the JSON context.

mod common;

/// The allocator the `nomos` binary uses, so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nomos::compile::{Check, PolicySet};
use nomos::engine::podsecurity::{Exclusion, Memo, PodSecurity};
use serde_json::Value;

/// Every podSecurity subrule of the pack as `(policy/rule, block)`, in pack order.
fn subrules(set: &PolicySet) -> Vec<(String, &PodSecurity)> {
    let rules = set.policies.iter().flat_map(|p| {
        p.rules
            .iter()
            .filter_map(move |r| match &r.validate.as_ref()?.check {
                Check::PodSecurity(ps) => Some((format!("{}/{}", p.name, r.name), ps.as_ref())),
                _ => None,
            })
    });
    rules.collect()
}

/// The `podSecurity` entries of the pack's exceptions.
fn exception_entries(set: &PolicySet) -> Vec<Exclusion> {
    let entries = set.exceptions.iter().flat_map(|e| e.pod_security.iter());
    entries.cloned().collect()
}

fn resources() -> Vec<(&'static str, Value)> {
    let samples = common::samples().into_iter();
    samples.map(|s| (s.name, s.resource)).collect()
}

fn kind(resource: &Value) -> &str {
    resource["kind"].as_str().unwrap_or_default()
}

/// Every podSecurity subrule of the pack on one resource, sharing one memo as a review does.
fn pack(c: &mut Criterion, set: &PolicySet, resources: &[(&'static str, Value)]) {
    let subrules = subrules(set);
    let mut group = c.benchmark_group("podsecurity_pack");
    for (name, resource) in resources {
        group.bench_with_input(BenchmarkId::from_parameter(name), resource, |b, r| {
            b.iter(|| {
                let mut memo = Memo::default();
                let outcomes: Vec<_> = subrules
                    .iter()
                    .map(|(rule, ps)| ps.run_memo(rule, kind(r), black_box(r), &[], &mut memo))
                    .collect();
                outcomes
            })
        });
    }
    group.finish();
}

/// Each subrule alone on the 5-container pod with a fresh memo (its own checks, its own
/// exclusions); `+exception` adds the pack's exception entries after the rule's own.
fn per_rule(c: &mut Criterion, set: &PolicySet, resource: &Value) {
    let entries = exception_entries(set);
    let mut group = c.benchmark_group("podsecurity_rule");
    for (rule, ps) in subrules(set) {
        for (suffix, extra) in [("", &[][..]), ("+exception", &entries[..])] {
            let id = BenchmarkId::from_parameter(format!("{rule}{suffix}"));
            group.bench_with_input(id, resource, |b, r| {
                b.iter(|| ps.run_with_exceptions(&rule, kind(r), black_box(r), extra))
            });
        }
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let set = common::compiled_pack();
    let resources = resources();
    pack(c, &set, &resources);
    per_rule(c, &set, &resources[1].1);
}

criterion_group!(podsecurity, benches);
criterion_main!(podsecurity);
