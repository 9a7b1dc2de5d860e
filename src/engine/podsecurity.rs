//! Pod Security Standards: the checks, the `podSecurity` subrule and its exclusions (podsecurity.md).
