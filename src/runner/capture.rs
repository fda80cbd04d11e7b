//! Capped output: each stream is read by a thread of its own (so a chatty command never blocks on
//! a full pipe) into a buffer that keeps only its last bytes.

use std::io::Read;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The end of a stream: at most `cap` bytes (the buffer briefly holds up to twice that).
#[derive(Debug, Default)]
pub(crate) struct Tail {
    cap: usize,
    bytes: Vec<u8>,
    cut: bool,
}

impl Tail {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            bytes: Vec::new(),
            cut: false,
        }
    }

    pub(crate) fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > self.cap.saturating_mul(2) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        if self.bytes.len() > self.cap {
            self.bytes.drain(..self.bytes.len() - self.cap);
            self.cut = true;
        }
    }

    /// The kept text and whether anything was cut.
    pub(crate) fn finish(mut self) -> (String, bool) {
        self.trim();
        (String::from_utf8_lossy(&self.bytes).into_owned(), self.cut)
    }
}

/// A stream being read in the background.
#[derive(Debug)]
pub(crate) struct Capture {
    tail: Arc<Mutex<Tail>>,
    done: Receiver<()>,
}

impl Capture {
    pub(crate) fn start(mut reader: impl Read + Send + 'static, cap: usize) -> Self {
        let tail = Arc::new(Mutex::new(Tail::new(cap)));
        let (sender, done) = mpsc::channel();
        let shared = Arc::clone(&tail);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 16 * 1024];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => {
                        if let Ok(mut tail) = shared.lock() {
                            tail.push(&buffer[..n]);
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = sender.send(());
        });
        Self { tail, done }
    }

    /// What was read, once the stream ends or `grace` passes (a process that escaped the group
    /// may hold the pipe open; its later output is not waited for).
    pub(crate) fn finish(self, grace: Duration) -> (String, bool) {
        let _ = self.done.recv_timeout(grace);
        let tail = match self.tail.lock() {
            Ok(mut tail) => std::mem::take(&mut *tail),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        tail.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_end_within_the_cap() {
        let mut tail = Tail::new(10);
        for i in 0..100 {
            tail.push(format!("{i:03}\n").as_bytes());
        }
        let (text, cut) = tail.finish();
        assert!(cut);
        assert_eq!(text.len(), 10);
        assert!(text.ends_with("098\n099\n"), "{text:?}");
    }

    #[test]
    fn short_output_is_whole() {
        let capture = Capture::start(&b"hello\n"[..], 1024);
        assert_eq!(
            capture.finish(Duration::from_secs(5)),
            ("hello\n".to_owned(), false)
        );
    }
}
