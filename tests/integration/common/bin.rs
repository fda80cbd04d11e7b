//! Running the package's binaries as a user would: JSON in, protocol lines and exit code out.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The path of one of the package's binaries, as cargo built it for this test run.
pub fn path(name: &str) -> PathBuf {
    let path = match name {
        "automaintainer" => env!("CARGO_BIN_EXE_automaintainer"),
        "am-setup" => env!("CARGO_BIN_EXE_am-setup"),
        "am-context" => env!("CARGO_BIN_EXE_am-context"),
        "am-select" => env!("CARGO_BIN_EXE_am-select"),
        "am-implement" => env!("CARGO_BIN_EXE_am-implement"),
        "am-open-pr" => env!("CARGO_BIN_EXE_am-open-pr"),
        "am-review" => env!("CARGO_BIN_EXE_am-review"),
        "am-evaluate" => env!("CARGO_BIN_EXE_am-evaluate"),
        "am-persist" => env!("CARGO_BIN_EXE_am-persist"),
        "am-reflect" => env!("CARGO_BIN_EXE_am-reflect"),
        "am-cleanup" => env!("CARGO_BIN_EXE_am-cleanup"),
        other => panic!("no binary named {other}"),
    };
    PathBuf::from(path)
}

/// What a binary did.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// The JSON payloads of the `::{...}::` lines on stdout, in order.
    pub fn protocol(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| {
                let inner = line
                    .strip_prefix("::")
                    .and_then(|l| l.strip_suffix("::"))
                    .unwrap_or_else(|| panic!("stdout line is not a protocol line: {line}"));
                serde_json::from_str(inner)
                    .unwrap_or_else(|e| panic!("bad protocol JSON {e}: {line}"))
            })
            .collect()
    }

    /// Every `outputs` object merged.
    pub fn outputs(&self) -> Value {
        let mut merged = serde_json::Map::new();
        for line in self.protocol() {
            if let Some(Value::Object(outputs)) = line.get("outputs") {
                merged.extend(outputs.clone());
            }
        }
        Value::Object(merged)
    }

    /// The metrics emitted, by name.
    pub fn metric(&self, name: &str) -> Option<Value> {
        self.protocol()
            .into_iter()
            .filter_map(|l| l.get("metrics").cloned())
            .flat_map(|m| m.as_array().cloned().unwrap_or_default())
            .find(|m| m["name"] == name)
    }

    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// A binary run with a clean environment: the secrets are removed unless `env` sets them, logs
/// stay human, and the store defaults to nothing the tests did not choose.
pub struct Runner {
    command: Command,
    stdin: Option<String>,
}

impl Runner {
    pub fn new(name: &str) -> Self {
        let mut command = Command::new(path(name));
        for var in automaintainer::secrets::SECRET_VARIABLES {
            command.env_remove(var);
        }
        command
            .env_remove("AM_LOG_FORMAT")
            .env_remove("AM_LLM")
            // A phase given no DATABASE_URL opens the embedded store; never the user's own.
            .env(
                "AM_DATA_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/am-data"),
            )
            // Kept build directories land in the user's cache when the cache is the data
            // directory; never the real user's.
            .env(
                "XDG_CACHE_HOME",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/am-user-cache"),
            )
            .env("NO_COLOR", "1");
        Self {
            command,
            stdin: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Sends `json` on stdin with `--input -`.
    pub fn input_json(mut self, json: &Value) -> Self {
        self.command.arg("--input").arg("-");
        self.stdin = Some(json.to_string());
        self
    }

    /// Sends raw text on stdin with `--input -`.
    pub fn input_text(mut self, text: &str) -> Self {
        self.command.arg("--input").arg("-");
        self.stdin = Some(text.to_owned());
        self
    }

    pub fn run(mut self) -> Ran {
        self.command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("binary starts");
        let stdin = self.stdin.take().unwrap_or_default();
        if let Some(mut pipe) = child.stdin.take() {
            let _ = pipe.write_all(stdin.as_bytes());
        }
        let output = child.wait_with_output().expect("binary finishes");
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `automaintainer run ARGS` on the embedded defaults, with its store and cache in `data`.
pub async fn run_locally(data: &Path, args: &[&str]) -> Ran {
    let data = data.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = std::iter::once("run")
            .chain(args.iter().map(String::as_str))
            .collect();
        Runner::new("automaintainer")
            .env("AM_DATA_DIR", &data)
            .env("XDG_CACHE_HOME", data.join("cache"))
            .env_remove("AM_FORGE")
            .env_remove("AM_REVIEW")
            .args(&args)
            .run()
    })
    .await
    .unwrap()
}
