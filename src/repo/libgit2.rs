//! libgit2's one-time start, moved off the run's critical path. Its first use in a process,
//! whatever the call, initialises OpenSSL and loads the whole CA bundle (144 certificates:
//! 20–90 ms of CPU on the benchmark machine, `bench/whole_run.md`). `automaintainer run` uses
//! libgit2 in every run (setup reads the clone's head, implement commits), so it starts it on a
//! thread of its own at once, while setup opens the store and fetches the mirror with the git
//! CLI; the first call that needs libgit2 waits for that start only if it is not done yet.

/// Starts libgit2 on a thread of its own; returns at once.
pub(crate) fn start_in_background() {
    let started = std::thread::Builder::new()
        .name("libgit2-start".to_owned())
        .spawn(|| {
            // Any call starts libgit2 first; this one does nothing else.
            let _ = git2::Oid::from_str("0000000000000000000000000000000000000000");
        });
    if let Err(e) = started {
        tracing::debug!("could not start libgit2 in the background: {e}");
    }
}
