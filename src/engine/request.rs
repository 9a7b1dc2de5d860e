//! Who sends an admission request and what it does: the `Operation` and the requesting
//! user's `UserInfo`, as `match`/`exclude` filters and exceptions read them.

use std::fmt;
use std::str::FromStr;

/// The admission operation (`request.operation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Operation {
    #[default]
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    /// How Kubernetes spells it: `CREATE`, `UPDATE`, `DELETE`, `CONNECT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the four operation names (the comparison is exact and
/// case-sensitive, as in Kyverno).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown operation `{0}`: expected CREATE, UPDATE, DELETE or CONNECT")]
pub struct UnknownOperation(pub String);

impl FromStr for Operation {
    type Err = UnknownOperation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "CREATE" => Ok(Operation::Create),
            "UPDATE" => Ok(Operation::Update),
            "DELETE" => Ok(Operation::Delete),
            "CONNECT" => Ok(Operation::Connect),
            other => Err(UnknownOperation(other.to_string())),
        }
    }
}

/// The requesting user: the admission review's `userInfo` plus the roles and cluster roles
/// Kyverno resolved for it (roles are written `<namespace>:<role>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
    /// `userInfo.extra`, in the order given.
    pub extra: Vec<(String, Vec<String>)>,
    pub roles: Vec<String>,
    pub cluster_roles: Vec<String>,
}

impl UserInfo {
    /// The user of a request that carries no user information at all.
    pub const EMPTY: UserInfo = UserInfo {
        username: String::new(),
        uid: String::new(),
        groups: Vec::new(),
        extra: Vec::new(),
        roles: Vec::new(),
        cluster_roles: Vec::new(),
    };

    /// True when nothing at all is known about the user: the situation of `kyverno test`
    /// without a user-info file and of background scans (rules.md §2.2).
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.uid.is_empty()
            && self.groups.is_empty()
            && self.extra.is_empty()
            && self.roles.is_empty()
            && self.cluster_roles.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_parse_exactly() {
        assert_eq!("DELETE".parse::<Operation>(), Ok(Operation::Delete));
        assert!("delete".parse::<Operation>().is_err());
        assert_eq!(Operation::Connect.to_string(), "CONNECT");
    }

    #[test]
    fn empty_user_is_empty() {
        assert!(UserInfo::EMPTY.is_empty());
        let user = UserInfo {
            uid: "1".into(),
            ..UserInfo::default()
        };
        assert!(!user.is_empty());
    }
}
