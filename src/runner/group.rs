//! The command's process group: it leads its own, and the whole group is killed on timeout and
//! when the command ends, so a test runner's children never outlive it.

use rustix::process::{kill_process_group, Pid, Signal};

/// Kills every process in the group `leader` leads; a group already gone is no error.
pub(crate) fn kill(leader: u32) {
    let Some(pid) = i32::try_from(leader).ok().and_then(Pid::from_raw) else {
        return;
    };
    match kill_process_group(pid, Signal::KILL) {
        Ok(()) => {}
        Err(rustix::io::Errno::SRCH) => {}
        Err(e) => tracing::debug!("kill process group {leader}: {e}"),
    }
}
