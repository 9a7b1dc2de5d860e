//! Policy validation as Kyverno performs it (rules.md §1.6): what makes a policy invalid.
