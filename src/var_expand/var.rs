//! The mail-user variable table (spec §3): which short letters and long
//! names exist. The set is fixed, so templates resolve names once at parse
//! time and expansion only indexes an array.

/// One entry of Dovecot's mail-user variable table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    User,
    Username,
    Domain,
    Service,
    Home,
    LocalIp,
    RemoteIp,
    Pid,
    Uid,
    Gid,
    Session,
    AuthUser,
    AuthUsername,
    AuthDomain,
    Hostname,
}

impl Var {
    /// Number of variables (the size of per-variable arrays).
    pub const COUNT: usize = 15;

    /// Every variable, in table order.
    pub const ALL: [Var; Var::COUNT] = [
        Var::User,
        Var::Username,
        Var::Domain,
        Var::Service,
        Var::Home,
        Var::LocalIp,
        Var::RemoteIp,
        Var::Pid,
        Var::Uid,
        Var::Gid,
        Var::Session,
        Var::AuthUser,
        Var::AuthUsername,
        Var::AuthDomain,
        Var::Hostname,
    ];

    /// Position in [`Var::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The one-letter key (`%u`), if the variable has one.
    pub const fn short(self) -> Option<u8> {
        Some(match self {
            Var::User => b'u',
            Var::Username => b'n',
            Var::Domain => b'd',
            Var::Service => b's',
            Var::Home => b'h',
            Var::LocalIp => b'l',
            Var::RemoteIp => b'r',
            Var::Pid => b'p',
            Var::Uid => b'i',
            _ => return None,
        })
    }

    /// The primary long name (`%{user}`).
    pub const fn name(self) -> &'static str {
        match self {
            Var::User => "user",
            Var::Username => "username",
            Var::Domain => "domain",
            Var::Service => "service",
            Var::Home => "home",
            Var::LocalIp => "lip",
            Var::RemoteIp => "rip",
            Var::Pid => "pid",
            Var::Uid => "uid",
            Var::Gid => "gid",
            Var::Session => "session",
            Var::AuthUser => "auth_user",
            Var::AuthUsername => "auth_username",
            Var::AuthDomain => "auth_domain",
            Var::Hostname => "hostname",
        }
    }

    /// Look up a short key. Only the table's letters count; `%%` is not a
    /// variable.
    pub fn from_short(c: u8) -> Option<Var> {
        Var::ALL.into_iter().find(|v| v.short() == Some(c))
    }

    /// Look up a long name exactly as Dovecot does: case-sensitive, whole
    /// string. `local_ip` and `remote_ip` are aliases in the table.
    pub fn from_long(name: &[u8]) -> Option<Var> {
        match name {
            b"local_ip" => Some(Var::LocalIp),
            b"remote_ip" => Some(Var::RemoteIp),
            _ => Var::ALL.into_iter().find(|v| v.name().as_bytes() == name),
        }
    }

    /// A name as a user would write it on the command line: a short letter
    /// (`u`) or a long name (`user`, `local_ip`).
    pub fn from_cli_name(name: &str) -> Option<Var> {
        match name.as_bytes() {
            [c] => Var::from_short(*c).or_else(|| Var::from_long(name.as_bytes())),
            other => Var::from_long(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_names_round_trip() {
        for v in Var::ALL {
            assert_eq!(Var::from_long(v.name().as_bytes()), Some(v));
            assert_eq!(Var::ALL[v.index()], v);
            if let Some(c) = v.short() {
                assert_eq!(Var::from_short(c), Some(v));
            }
        }
    }

    #[test]
    fn lookups_are_case_sensitive_and_know_aliases() {
        assert_eq!(Var::from_long(b"User"), None);
        assert_eq!(Var::from_long(b"local_ip"), Some(Var::LocalIp));
        assert_eq!(Var::from_long(b"remote_ip"), Some(Var::RemoteIp));
        assert_eq!(Var::from_short(b'g'), None);
        assert_eq!(Var::from_cli_name("i"), Some(Var::Uid));
        assert_eq!(Var::from_cli_name("gid"), Some(Var::Gid));
        assert_eq!(Var::from_cli_name("nope"), None);
    }
}
