//! The values a template is expanded against: one mail user (spec §3).
use super::var::Var;
use std::borrow::Cow;

/// Everything `%u`, `%{userdb:...}`, `%{env:...}` & co. read.
///
/// `%n`, `%d` and the `auth_*` variables are derived from the username
/// unless set explicitly. A variable that was never set expands to the empty
/// string, as a NULL entry in Dovecot's table does (`%l` without an IP).
/// Values are bytes: usernames need not be UTF-8.
///
/// The context is meant to be reused: [`UserContext::set_user`] swaps the
/// user without reallocating, so expanding one template for many users only
/// allocates the output.
#[derive(Debug, Clone, Default)]
pub struct UserContext {
    user: Vec<u8>,
    /// Explicitly set values (including overrides of derived ones).
    values: [Slot; Var::COUNT],
    /// userdb fields in the order given; the first match wins.
    userdb: Vec<(Vec<u8>, Vec<u8>)>,
    /// Environment overrides; `None` values hide a variable.
    env: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// Whether `%{env:X}` falls back to this process's environment.
    inherit_env: bool,
}

/// One variable's explicit value. Unsetting keeps the buffer, so a batch
/// that sets and clears `%h` for every user does not allocate each time.
#[derive(Debug, Clone, Default)]
struct Slot {
    set: bool,
    buf: Vec<u8>,
}

impl Slot {
    fn get(&self) -> Option<&[u8]> {
        self.set.then_some(self.buf.as_slice())
    }
}

impl UserContext {
    /// A bare context: only the username is known and `%{env:...}` reads
    /// this process's environment.
    pub fn new(user: impl AsRef<[u8]>) -> UserContext {
        UserContext {
            user: user.as_ref().to_vec(),
            inherit_env: true,
            ..UserContext::default()
        }
    }

    /// The context `doveadm user -e TEMPLATE USER` expands in, as far as it
    /// can be known outside Dovecot: service `doveadm`, this process's pid
    /// and the system host name. Home, uid, gid, IPs and session stay unset
    /// until the caller sets them.
    pub fn doveadm(user: impl AsRef<[u8]>) -> UserContext {
        let mut c = UserContext::new(user);
        c.set(Var::Service, "doveadm");
        c.set(Var::Pid, std::process::id().to_string());
        c.set(Var::Hostname, system_hostname());
        c
    }

    /// Replace the username, keeping everything else (and the buffer).
    pub fn set_user(&mut self, user: &[u8]) -> &mut Self {
        self.user.clear();
        self.user.extend_from_slice(user);
        self
    }

    /// The username (`%u`) as given, even if `user` was overridden.
    pub fn user(&self) -> &[u8] {
        &self.user
    }

    /// Set (or override) one variable.
    pub fn set(&mut self, var: Var, value: impl AsRef<[u8]>) -> &mut Self {
        let slot = &mut self.values[var.index()];
        slot.buf.clear();
        slot.buf.extend_from_slice(value.as_ref());
        slot.set = true;
        self
    }

    /// Forget an explicit value: derived variables go back to following the
    /// username, the others become unset.
    pub fn unset(&mut self, var: Var) -> &mut Self {
        self.values[var.index()].set = false;
        self
    }

    /// Set or clear the home directory (`%h`). A missing home matters:
    /// Dovecot refuses plugin settings that use `%h` then.
    pub fn set_home(&mut self, home: Option<&[u8]>) -> &mut Self {
        match home {
            Some(h) => self.set(Var::Home, h),
            None => self.unset(Var::Home),
        }
    }

    /// The home directory, if known.
    pub fn home(&self) -> Option<&[u8]> {
        self.values[Var::Home.index()].get()
    }

    /// The value `var` expands to.
    pub fn get(&self, var: Var) -> &[u8] {
        if let Some(v) = self.values[var.index()].get() {
            return v;
        }
        let auth = || {
            self.values[Var::AuthUser.index()]
                .get()
                .unwrap_or(&self.user)
        };
        match var {
            Var::User => &self.user,
            Var::Username => before_at(&self.user),
            Var::Domain => after_at(&self.user),
            Var::AuthUser => auth(),
            Var::AuthUsername => before_at(auth()),
            Var::AuthDomain => after_at(auth()),
            _ => b"",
        }
    }

    /// Add a userdb field (`%{userdb:NAME}`); earlier fields win.
    pub fn add_userdb(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        self.userdb
            .push((name.as_ref().to_vec(), value.as_ref().to_vec()));
        self
    }

    /// The userdb fields, in order.
    pub fn userdb_fields(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.userdb
    }

    /// Dovecot's userdb lookup: the first field whose `NAME=VALUE` text
    /// starts with `field` followed by `=`.
    pub fn userdb(&self, field: &[u8]) -> Option<&[u8]> {
        self.userdb.iter().find_map(|(n, v)| {
            if field.len() <= n.len() {
                // Names never contain `=`, so the name must be `field`.
                (n.as_slice() == field).then_some(v.as_slice())
            } else {
                // `field` itself contains `=`: it reaches into the value.
                let rest = field.strip_prefix(n.as_slice())?.strip_prefix(b"=")?;
                let tail = v.strip_prefix(rest)?;
                tail.strip_prefix(b"=")
            }
        })
    }

    /// Override an environment variable for `%{env:NAME}` (`None` hides it).
    pub fn set_env(&mut self, name: impl AsRef<[u8]>, value: Option<&[u8]>) -> &mut Self {
        let name = name.as_ref().to_vec();
        self.env.retain(|(n, _)| *n != name);
        self.env.push((name, value.map(<[u8]>::to_vec)));
        self
    }

    /// Whether `%{env:...}` falls back to this process's environment
    /// (default true). Dovecot's own processes run with a cleaned
    /// environment, so tools that want to model one turn this off.
    pub fn inherit_env(&mut self, yes: bool) -> &mut Self {
        self.inherit_env = yes;
        self
    }

    /// The value of an environment variable.
    pub fn env(&self, name: &[u8]) -> Option<Cow<'_, [u8]>> {
        if let Some((_, v)) = self.env.iter().find(|(n, _)| n == name) {
            return v.as_deref().map(Cow::Borrowed);
        }
        if !self.inherit_env || name.is_empty() || name.contains(&b'=') || name.contains(&0) {
            return None;
        }
        os_env(name)
    }
}

#[cfg(unix)]
fn os_env(name: &[u8]) -> Option<Cow<'static, [u8]>> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    std::env::var_os(std::ffi::OsStr::from_bytes(name)).map(|v| Cow::Owned(v.into_vec()))
}

#[cfg(not(unix))]
fn os_env(name: &[u8]) -> Option<Cow<'static, [u8]>> {
    let name = std::str::from_utf8(name).ok()?;
    std::env::var(name).ok().map(|v| Cow::Owned(v.into_bytes()))
}

fn before_at(u: &[u8]) -> &[u8] {
    match u.iter().position(|&c| c == b'@') {
        Some(p) => &u[..p],
        None => u,
    }
}

fn after_at(u: &[u8]) -> &[u8] {
    match u.iter().position(|&c| c == b'@') {
        Some(p) => &u[p + 1..],
        None => b"",
    }
}

/// The system host name as `gethostname(2)` reports it (Dovecot's
/// `hostname` setting defaults to this, resolved to a FQDN when DNS or
/// /etc/hosts knows one; obox-cli does no name lookups).
pub fn system_hostname() -> Vec<u8> {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: gethostname writes at most len bytes into buf.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
        if rc == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            return buf[..end].to_vec();
        }
    }
    b"localhost".to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_parts_of_the_username() {
        let c = UserContext::new("a@b@c");
        assert_eq!(c.get(Var::Username), b"a");
        assert_eq!(c.get(Var::Domain), b"b@c");
        let c = UserContext::new("@example.com");
        assert_eq!(c.get(Var::Username), b"");
        assert_eq!(c.get(Var::Domain), b"example.com");
        let c = UserContext::new("alice");
        assert_eq!(c.get(Var::Domain), b"");
        assert_eq!(c.get(Var::AuthUser), b"alice");
    }

    #[test]
    fn overrides_and_auth_user() {
        let mut c = UserContext::new("alice@example.com");
        c.set(Var::AuthUser, "master@admin.org");
        assert_eq!(c.get(Var::AuthDomain), b"admin.org");
        assert_eq!(c.get(Var::Domain), b"example.com");
        c.set(Var::Domain, "x");
        assert_eq!(c.get(Var::Domain), b"x");
        c.unset(Var::Domain);
        c.set_user(b"bob@y");
        assert_eq!(c.get(Var::Domain), b"y");
        assert_eq!(c.get(Var::LocalIp), b"");
        assert!(c.home().is_none());
    }

    #[test]
    fn userdb_lookup_like_dovecot() {
        let mut c = UserContext::new("u");
        c.add_userdb("home", "/h")
            .add_userdb("a", "b=c")
            .add_userdb("home", "/other");
        assert_eq!(c.userdb(b"home"), Some(&b"/h"[..]));
        assert_eq!(c.userdb(b"a=b"), Some(&b"c"[..]));
        assert_eq!(c.userdb(b"hom"), None);
        assert_eq!(c.userdb(b""), None);
    }

    #[test]
    fn env_overrides() {
        let mut c = UserContext::new("u");
        c.set_env("OBOX_TEST_NOPE", Some(b"v"));
        assert_eq!(c.env(b"OBOX_TEST_NOPE").as_deref(), Some(&b"v"[..]));
        c.set_env("OBOX_TEST_NOPE", None);
        assert_eq!(c.env(b"OBOX_TEST_NOPE"), None);
        c.inherit_env(false);
        assert_eq!(c.env(b"PATH"), None);
    }
}
