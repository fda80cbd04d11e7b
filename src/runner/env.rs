//! The environment the repository's code gets: an allowlist of the phase's variables (locale,
//! terminal, the toolchains' own locations), never anything that looks like a secret, and a
//! throwaway `HOME`. Because `HOME` changes, the toolchains that default to it (rustup, cargo,
//! Go's module cache, pip's user packages) are pointed explicitly at where they really are.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Variables passed through as they are.
const ALLOWED: &[&str] = &[
    "PATH",
    "LANG",
    "LANGUAGE",
    "TERM",
    "TZ",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    // The operator's shared build directory; bound writable in the sandbox.
    "CARGO_TARGET_DIR",
    "GOPATH",
    "GOROOT",
    "GOMODCACHE",
    "PYENV_ROOT",
    "PYENV_VERSION",
    "PYTHONUSERBASE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// Prefixes of variables passed through (`LC_ALL`, `LC_CTYPE`, ...).
const ALLOWED_PREFIXES: &[&str] = &["LC_"];

/// Passed only to a step that may use the network (preparing dependencies).
const NETWORK: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    // The operator's package mirrors (a URL carrying credentials is still dropped).
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_CERT",
    "NPM_CONFIG_REGISTRY",
    "npm_config_registry",
];

/// Parts of a name that mark a secret; such a variable never passes, allowlisted or not.
const SECRET_MARKS: &[&str] = &[
    "TOKEN",
    "KEY",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "CREDENTIAL",
    "AUTH",
    "DATABASE_URL",
    "SESSION",
    "COOKIE",
];

/// Whether a variable's name says it holds a secret.
pub(crate) fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_MARKS.iter().any(|mark| upper.contains(mark))
        || crate::secrets::SECRET_VARIABLES.contains(&name)
}

/// Whether a value carries credentials itself (`https://user:pass@proxy`).
fn carries_credentials(value: &OsStr) -> bool {
    let Some(text) = value.to_str() else {
        return false;
    };
    url::Url::parse(text).is_ok_and(|url| !url.username().is_empty() || url.password().is_some())
}

/// Whether `name` (with `value`) may reach the repository's code.
fn allowed(name: &str, value: &OsStr, network: bool) -> bool {
    let listed = ALLOWED.contains(&name)
        || ALLOWED_PREFIXES.iter().any(|p| name.starts_with(p))
        || (network && NETWORK.contains(&name));
    listed && !looks_secret(name) && !carries_credentials(value)
}

/// The real locations of the toolchains, from the phase's environment or their defaults under
/// the real home.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Toolchains {
    pub(crate) real_home: Option<PathBuf>,
    pub(crate) cargo_home: Option<PathBuf>,
    pub(crate) rustup_home: Option<PathBuf>,
    pub(crate) gopath: Option<PathBuf>,
    pub(crate) python_user_base: Option<PathBuf>,
}

impl Toolchains {
    /// The content of cargo's own configuration files in its home (`config.toml`, `config`),
    /// which can set the flags every build of the run uses; empty when there are none.
    pub(crate) fn cargo_home_config(&self) -> Vec<u8> {
        let Some(home) = &self.cargo_home else {
            return Vec::new();
        };
        ["config.toml", "config"]
            .iter()
            .filter_map(|name| std::fs::read(home.join(name)).ok())
            .flatten()
            .collect()
    }

    pub(crate) fn from_env() -> Self {
        let real_home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(dirs::home_dir);
        let pick = |variable: &str, default: &str| {
            std::env::var_os(variable)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    real_home
                        .as_ref()
                        .map(|h| h.join(default))
                        .filter(|p| p.is_dir())
                })
        };
        Self {
            cargo_home: pick("CARGO_HOME", ".cargo"),
            rustup_home: pick("RUSTUP_HOME", ".rustup"),
            gopath: pick("GOPATH", "go"),
            python_user_base: pick("PYTHONUSERBASE", ".local"),
            real_home,
        }
    }
}

/// The whole environment of a command: the allowlisted part of `from`, then the toolchains'
/// locations and `home` as `HOME`; `path` replaces the PATH when given.
pub(crate) fn environment(
    from: impl IntoIterator<Item = (OsString, OsString)>,
    toolchains: &Toolchains,
    home: &Path,
    path: Option<&OsStr>,
    network: bool,
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = from
        .into_iter()
        .filter(|(name, value)| name.to_str().is_some_and(|n| allowed(n, value, network)))
        .filter(|(name, _)| !matches!(name.to_str(), Some("PATH") if path.is_some()))
        .collect();
    let mut set = |name: &str, value: &OsStr| {
        env.retain(|(n, _)| n != name);
        env.push((name.into(), value.to_os_string()));
    };
    if let Some(path) = path {
        set("PATH", path);
    }
    set("HOME", home.as_os_str());
    for (name, dir) in [
        ("CARGO_HOME", &toolchains.cargo_home),
        ("RUSTUP_HOME", &toolchains.rustup_home),
        ("GOPATH", &toolchains.gopath),
        ("PYTHONUSERBASE", &toolchains.python_user_base),
    ] {
        if let Some(dir) = dir {
            set(name, dir.as_os_str());
        }
    }
    env
}

/// The caller's own variables, without any that look like a secret.
pub(crate) fn extra(env: &[(String, OsString)]) -> Vec<(String, OsString)> {
    env.iter()
        .filter(|(name, value)| {
            let keep = !looks_secret(name) && !carries_credentials(value);
            if !keep {
                tracing::warn!("the variable {name} looks like a secret; it is not passed on");
            }
            keep
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(n, v)| (OsString::from(n), OsString::from(v)))
            .collect()
    }

    fn get<'a>(env: &'a [(OsString, OsString)], name: &str) -> Option<&'a OsStr> {
        env.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_os_str())
    }

    #[test]
    fn only_the_allowlist_passes_and_never_a_secret() {
        let from = vars(&[
            ("PATH", "/usr/bin"),
            ("LANG", "C.UTF-8"),
            ("LC_ALL", "C"),
            ("HOME", "/root"),
            ("GITHUB_TOKEN", "ghp_planted"),
            ("ANTHROPIC_API_KEY", "sk-ant-planted"),
            ("OPENAI_API_KEY", "sk-planted"),
            ("DATABASE_URL", "postgres://u:p@h/db"),
            ("AM_DASHBOARD_TOKEN", "dash"),
            ("LC_SECRET", "x"),
            ("AWS_SECRET_ACCESS_KEY", "aws"),
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("RUSTUP_TOOLCHAIN", "stable"),
        ]);
        let toolchains = Toolchains {
            cargo_home: Some("/opt/cargo".into()),
            ..Toolchains::default()
        };
        let env = environment(from, &toolchains, Path::new("/tmp/h"), None, false);
        let names: Vec<&str> = env.iter().filter_map(|(n, _)| n.to_str()).collect();
        assert_eq!(
            names,
            [
                "PATH",
                "LANG",
                "LC_ALL",
                "RUSTUP_TOOLCHAIN",
                "HOME",
                "CARGO_HOME"
            ]
        );
        assert_eq!(get(&env, "HOME"), Some(OsStr::new("/tmp/h")));
        assert_eq!(get(&env, "CARGO_HOME"), Some(OsStr::new("/opt/cargo")));
    }

    #[test]
    fn proxies_pass_only_with_network_and_never_with_credentials() {
        let from = vars(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("HTTP_PROXY", "http://user:pass@proxy:3128"),
        ]);
        let env = environment(from, &Toolchains::default(), Path::new("/h"), None, true);
        assert_eq!(
            get(&env, "HTTPS_PROXY"),
            Some(OsStr::new("http://proxy:3128"))
        );
        assert_eq!(get(&env, "HTTP_PROXY"), None);
    }

    #[test]
    fn a_given_path_replaces_the_phases() {
        let from = vars(&[("PATH", "/usr/bin")]);
        let env = environment(
            from,
            &Toolchains::default(),
            Path::new("/h"),
            Some(OsStr::new("/only")),
            false,
        );
        assert_eq!(get(&env, "PATH"), Some(OsStr::new("/only")));
        assert_eq!(env.iter().filter(|(n, _)| n == "PATH").count(), 1);
    }

    #[test]
    fn callers_cannot_pass_secrets_either() {
        let kept = extra(&[
            ("CARGO_TARGET_DIR".to_owned(), "/t".into()),
            ("NPM_TOKEN".to_owned(), "x".into()),
        ]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].0, "CARGO_TARGET_DIR");
    }

    #[test]
    fn cargos_own_configuration_is_read_from_its_home() {
        let home = tempfile::tempdir().unwrap();
        let toolchains = Toolchains {
            cargo_home: Some(home.path().to_path_buf()),
            ..Toolchains::default()
        };
        assert!(toolchains.cargo_home_config().is_empty());
        std::fs::write(
            home.path().join("config.toml"),
            "[build]\nrustflags = [\"-Dwarnings\"]\n",
        )
        .unwrap();
        let with_flags = toolchains.cargo_home_config();
        assert!(String::from_utf8(with_flags)
            .unwrap()
            .contains("-Dwarnings"));
        assert!(Toolchains::default().cargo_home_config().is_empty());
    }
}
