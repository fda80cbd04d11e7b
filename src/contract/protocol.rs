//! Kestra's script-task protocol on stdout: `::{"outputs":...}::`, `::{"metrics":[...]}::` and
//! `::{"logs":[...]}::`, one JSON object per line, every string redacted.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{json, Value};

use crate::secrets::Redactor;

/// One metric in Kestra's format. Timers take float seconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metric {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: MetricKind,
    pub value: f64,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub tags: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    Counter,
    Timer,
}

impl Metric {
    pub fn counter(name: &str, value: f64) -> Self {
        Self {
            name: name.to_owned(),
            kind: MetricKind::Counter,
            value,
            tags: Default::default(),
        }
    }

    pub fn timer(name: &str, seconds: f64) -> Self {
        Self {
            name: name.to_owned(),
            kind: MetricKind::Timer,
            value: seconds,
            tags: Default::default(),
        }
    }

    pub fn tag(mut self, key: &str, value: &str) -> Self {
        self.tags
            .insert(key.to_owned(), Value::String(value.to_owned()));
        self
    }
}

/// Writes protocol lines. Cloning shares the writer; lines never interleave.
#[derive(Clone)]
pub struct Protocol {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    redactor: Redactor,
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protocol").finish_non_exhaustive()
    }
}

impl Protocol {
    pub fn new(out: Box<dyn Write + Send>, redactor: Redactor) -> Self {
        Self {
            out: Arc::new(Mutex::new(out)),
            redactor,
        }
    }

    pub fn stdout(redactor: Redactor) -> Self {
        Self::new(Box::new(std::io::stdout()), redactor)
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// `::{"outputs":{...}}::`. `outputs` must serialize to a JSON object.
    pub fn outputs(&self, outputs: &impl Serialize) {
        let value = serde_json::to_value(outputs).unwrap_or(Value::Null);
        self.line(&json!({ "outputs": value }));
    }

    pub fn metrics(&self, metrics: &[Metric]) {
        if metrics.is_empty() {
            return;
        }
        self.line(&json!({ "metrics": metrics }));
    }

    /// `::{"logs":[{"level":"INFO","message":"..."}]}::`, for running under Kestra.
    pub fn log(&self, level: &str, message: &str) {
        self.line(&json!({ "logs": [{ "level": level, "message": message }] }));
    }

    fn line(&self, value: &Value) {
        let value = self.redactor.redact_json(value);
        let text = format!("::{value}::\n");
        if let Ok(mut out) = self.out.lock() {
            // A closed stdout leaves nobody to tell; the exit code still says what happened.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
}

/// A `Write` that collects into shared memory, for tests of what a task printed.
#[derive(Clone, Default, Debug)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut inner) = self.0.lock() {
            inner.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_kestras_pattern_and_are_redacted() {
        let captured = Captured::default();
        let protocol = Protocol::new(
            Box::new(captured.clone()),
            Redactor::new(vec!["s3cr3t-value".to_owned()]),
        );
        protocol.outputs(&json!({"path": "/tmp/x", "note": "has s3cr3t-value inside"}));
        protocol.metrics(&[Metric::counter("llm_tokens", 1234.0).tag("phase", "select")]);
        protocol.log("INFO", "hello");
        let text = captured.text();
        let pattern = regex::Regex::new(r"^::(\{.*\})::$").unwrap();
        for line in text.lines() {
            assert!(pattern.is_match(line), "{line}");
        }
        assert!(!text.contains("s3cr3t-value"));
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(&l[2..l.len() - 2]).unwrap())
            .collect();
        assert_eq!(lines[0]["outputs"]["note"], "has [redacted] inside");
        assert_eq!(lines[1]["metrics"][0]["type"], "counter");
        assert_eq!(lines[1]["metrics"][0]["tags"]["phase"], "select");
        assert_eq!(lines[2]["logs"][0]["level"], "INFO");
    }
}
