//! JUnit XML: one test suite per policy, one test case per (rule, resource) result.

use super::Entry;
use crate::report::Status;

pub fn junit(entries: &[Entry<'_>]) -> String {
    let failed = |e: &Entry<'_>| matches!(e.status, Status::Fail | Status::Error);
    let mut policies: Vec<&str> = entries.iter().map(|e| e.policy).collect();
    policies.dedup();
    let mut seen = Vec::new();
    policies.retain(|p| {
        let fresh = !seen.contains(p);
        seen.push(p);
        fresh
    });
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total_failed = entries.iter().filter(|e| failed(e)).count();
    out.push_str(&format!(
        "<testsuites tests=\"{}\" failures=\"{total_failed}\">\n",
        entries.len()
    ));
    for policy in policies {
        let own: Vec<&Entry<'_>> = entries.iter().filter(|e| e.policy == policy).collect();
        let failures = own.iter().filter(|e| failed(e)).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
            escape(policy),
            own.len()
        ));
        for e in own {
            out.push_str(&case(e));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn case(e: &Entry<'_>) -> String {
    let head = format!(
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape(e.response.rule),
        escape(&e.resource.apply_key())
    );
    match e.status {
        Status::Fail | Status::Error => format!(
            "{head}>\n      <failure type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
            e.status,
            escape(&e.response.message)
        ),
        Status::Skip => format!(
            "{head}>\n      <skipped message=\"{}\"/>\n    </testcase>\n",
            escape(&e.response.message)
        ),
        _ => format!("{head}/>\n"),
    }
}

/// XML attribute escaping.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
}
