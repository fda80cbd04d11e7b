//! Running a [`Request`]: resolve the program, choose the sandbox, clean the environment, start
//! it leading its own process group, read its output capped, kill the group at the deadline and
//! when it ends. Blocking: the thread that starts the command waits for it, which
//! `--die-with-parent` needs (the parent is that thread); async callers use [`run_async`].

use std::ffi::OsString;
use std::io::{Seek, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::capture::Capture;
use super::command::{Ran, Request, MAX_TIMEOUT};
use super::env::{self, Toolchains};
use super::error::RunError;
use super::sandbox::{self, View};
use super::{group, policy, resolve};

/// How long output is still read after the command ended (a process that escaped its group may
/// hold the pipe).
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// `path` with `dir` put first, when there is a `dir`.
fn with_first(dir: Option<&Path>, path: Option<OsString>) -> Option<OsString> {
    let Some(dir) = dir else {
        return path;
    };
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(path.iter().flat_map(std::env::split_paths));
    std::env::join_paths(dirs).ok().or(path)
}

/// The PATH a command is looked for on: the run's prepared Python environment first (so
/// `pytest` is the repository's), then the policy's PATH, else the phase's.
/// Returns the environment's `bin` too, when there is one.
fn search_path(policy: &policy::Policy) -> (Option<PathBuf>, Option<OsString>) {
    let venv = policy
        .build_cache
        .as_deref()
        .and_then(super::python_env::venv_bin);
    let path = with_first(
        venv.as_deref(),
        policy.path.clone().or(std::env::var_os("PATH")),
    );
    (venv, path)
}

/// The executable [`run`] would start for `request`; None when there is none.
pub fn resolved_program(request: &Request) -> Option<PathBuf> {
    let policy = request.policy.clone().unwrap_or_else(policy::current);
    let (_, path) = search_path(&policy);
    resolve::program(&request.program, &request.dir, path.as_deref())
}

/// The run directory of the policy in force (hidden from the repository's code); None outside
/// a run.
pub fn run_dir() -> Option<PathBuf> {
    policy::current().run_dir.clone()
}

/// Where the run in force keeps linters' answers (`crate::lint::memo`); None outside a run.
pub(crate) fn lint_memo_dir() -> Option<PathBuf> {
    policy::current().lint_memo.clone()
}

/// Runs `request` to its end or its timeout.
pub fn run(request: &Request) -> Result<Ran, RunError> {
    let started = Instant::now();
    let policy = request.policy.clone().unwrap_or_else(policy::current);
    let program_name = request.program_name();
    let (venv, path) = search_path(&policy);
    let program =
        resolve::program(&request.program, &request.dir, path.as_deref()).ok_or_else(|| {
            RunError::NotFound {
                program: program_name.clone(),
            }
        })?;
    let bwrap = sandbox::choose(&policy, &program_name)?;
    let home = tempfile::Builder::new()
        .prefix("am-home-")
        .tempdir()
        .map_err(|e| RunError::io("create a throwaway home", e))?;
    let toolchains = Toolchains::from_env();
    let environment = env::environment(
        std::env::vars_os(),
        &toolchains,
        home.path(),
        if venv.is_some() {
            path.as_deref()
        } else {
            policy.path.as_deref()
        },
        request.network,
    );
    let mut extra = env::extra(&request.env);
    if !request.network && !extra.iter().any(|(n, _)| n == "CARGO_NET_OFFLINE") {
        // Without the network cargo resolves from what `cargo fetch` brought (a library without
        // a committed Cargo.lock would otherwise ask the index, and fail).
        extra.push(("CARGO_NET_OFFLINE".to_owned(), "true".into()));
    }
    if let Some(bin) = venv.as_deref().and_then(Path::parent) {
        extra.push(("VIRTUAL_ENV".to_owned(), bin.as_os_str().to_owned()));
    }
    if let Some(target) = &policy.cargo_target_dir {
        // The run's one target directory, over the operator's: never shared across repositories.
        if !extra.iter().any(|(n, _)| n == "CARGO_TARGET_DIR") {
            extra.push((
                "CARGO_TARGET_DIR".to_owned(),
                target.clone().into_os_string(),
            ));
        }
    }
    let mut writable_extra = request.writable.clone();
    if let Some(cache) = &policy.build_cache {
        for (name, dir) in [
            ("GOCACHE", "go-build"),
            ("GOLANGCI_LINT_CACHE", "golangci-lint"),
        ] {
            if !extra.iter().any(|(n, _)| n == name) {
                extra.push((name.to_owned(), cache.join(dir).into_os_string()));
            }
        }
        if bwrap.is_none() {
            // Bound (and so created) in the sandbox; created here for the bare run too.
            let _ = std::fs::create_dir_all(cache);
        }
        writable_extra.push(cache.clone());
    }
    // A cargo target directory, the caller's or the operator's, is written to wherever it is.
    let target_dir = extra
        .iter()
        .rev()
        .find(|(name, _)| name == "CARGO_TARGET_DIR")
        .map(|(_, value)| value.clone())
        .or_else(|| {
            environment
                .iter()
                .find(|(name, _)| name == "CARGO_TARGET_DIR")
                .map(|(_, value)| value.clone())
        })
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute());
    let mut seen = None;
    let mut command = match &bwrap {
        Some(bwrap) => {
            let mut writable: Vec<PathBuf> = Vec::new();
            if request.dir_writable {
                writable.push(request.dir.clone());
            }
            // A shared target directory may not exist yet; it must, to be bound.
            for dir in writable_extra.iter().chain(&target_dir) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| RunError::io(format!("create {}", dir.display()), e))?;
                writable.push(dir.clone());
            }
            writable.push(home.path().to_path_buf());
            let view = View {
                toolchains: &toolchains,
                path: path.as_deref(),
                hidden: &policy.hidden,
                writable,
                dir: &request.dir,
                network: request.network,
                clone: policy.clone.as_deref(),
            };
            seen = sandbox::seen_clone(&view);
            let mut command = Command::new(bwrap);
            command.args(sandbox::arguments(&view, seen.as_ref()));
            match &seen {
                Some(seen) => command
                    .arg(seen.argument(program.as_os_str()))
                    .args(request.args.iter().map(|a| seen.argument(a))),
                None => command.arg(&program).args(&request.args),
            };
            command
        }
        None => {
            let mut command = Command::new(&program);
            command.args(&request.args);
            command
        }
    };
    command
        .current_dir(&request.dir)
        .env_clear()
        .envs(environment)
        .envs(extra)
        .process_group(0);
    match &request.stdin {
        Some(text) => {
            let mut file =
                tempfile::tempfile().map_err(|e| RunError::io("create a temporary file", e))?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.rewind())
                .map_err(|e| RunError::io(format!("write {program_name}'s input"), e))?;
            command.stdin(file);
        }
        None => {
            command.stdin(Stdio::null());
        }
    }
    let (out_reader, out_writer) = std::io::pipe().map_err(|e| RunError::io("create a pipe", e))?;
    let err_pipe = if request.merge_stderr {
        let writer = out_writer
            .try_clone()
            .map_err(|e| RunError::io("share a pipe", e))?;
        command.stderr(writer);
        None
    } else {
        let (reader, writer) = std::io::pipe().map_err(|e| RunError::io("create a pipe", e))?;
        command.stderr(writer);
        Some(reader)
    };
    command.stdout(out_writer);
    tracing::debug!(command = %request.label, sandboxed = bwrap.is_some(), seen_clone = seen.is_some(), network = request.network, "running");
    let spawned = command.spawn();
    // Our copies of the pipes' write ends go with the command, so the readers see the end.
    drop(command);
    let mut child = spawned.map_err(|e| RunError::io(format!("start {program_name}"), e))?;
    let leader = child.id();
    let stdout = Capture::start(out_reader, request.output_cap);
    let stderr = err_pipe.map(|reader| Capture::start(reader, request.output_cap));

    let timeout = request.timeout.min(MAX_TIMEOUT);
    // A waiter thread reaps the command and says so at once (no polling latency); this thread,
    // the one that started it, stays its parent until then.
    let (ended, exited) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = ended.send(());
        status
    });
    let timed_out = match started.checked_add(timeout) {
        Some(deadline) => matches!(
            exited.recv_timeout(deadline.saturating_duration_since(Instant::now())),
            Err(mpsc::RecvTimeoutError::Timeout)
        ),
        None => exited.recv().is_err(),
    };
    if timed_out {
        group::kill(leader);
    }
    let status = match waiter.join() {
        Ok(Ok(status)) => Some(status),
        Ok(Err(e)) => {
            group::kill(leader);
            return Err(RunError::io(format!("wait for {program_name}"), e));
        }
        Err(_) => {
            group::kill(leader);
            return Err(RunError::io(
                format!("wait for {program_name}"),
                std::io::Error::other("the waiting thread panicked"),
            ));
        }
    };
    // Whatever the command left running in its group goes with it.
    group::kill(leader);
    let (mut stdout, out_cut) = stdout.finish(OUTPUT_GRACE);
    let (mut stderr, err_cut) = stderr.map_or((String::new(), false), |c| c.finish(OUTPUT_GRACE));
    if let Some(seen) = &seen {
        stdout = seen.output(stdout);
        stderr = seen.output(stderr);
    }
    if timed_out {
        tracing::warn!(command = %request.label, "killed after {}s", timeout.as_secs());
    }
    let duration = started.elapsed();
    tracing::debug!(command = %request.label, code = ?status.and_then(|s| s.code()), ms = duration.as_millis() as u64, "ran");
    Ok(Ran {
        code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        timed_out,
        stdout,
        stderr,
        truncated: out_cut || err_cut,
        duration,
        sandboxed: bwrap.is_some(),
    })
}

/// [`run`] from async code, on a blocking thread.
pub async fn run_async(request: Request) -> Result<Ran, RunError> {
    let program = request.program_name();
    tokio::task::spawn_blocking(move || run(&request))
        .await
        .map_err(|e| RunError::io(format!("run {program}"), std::io::Error::other(e)))?
}
