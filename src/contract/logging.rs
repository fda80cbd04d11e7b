//! Logs through `tracing`: human text on stderr in a terminal, Kestra log lines on stdout under
//! Kestra (so levels survive), redacted either way.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use super::protocol::Protocol;
use crate::secrets::Redactor;

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human text on stderr.
    Terminal,
    /// `::{"logs":[...]}::` on stdout.
    Kestra,
}

impl LogFormat {
    /// `AM_LOG_FORMAT=kestra` (set by the flows) selects Kestra's protocol; anything else is
    /// human text.
    pub fn from_env() -> Self {
        match std::env::var("AM_LOG_FORMAT").as_deref() {
            Ok("kestra") => Self::Kestra,
            _ => Self::Terminal,
        }
    }
}

struct ProtocolLayer {
    format: LogFormat,
    protocol: Protocol,
    redactor: Redactor,
}

#[derive(Default)]
struct MessageVisitor {
    message: String,
    fields: String,
}

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }
}

impl<S: Subscriber> Layer<S> for ProtocolLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut visitor = MessageVisitor::default();
        event.record(&mut visitor);
        let text = self
            .redactor
            .redact(&format!("{}{}", visitor.message, visitor.fields));
        let level = *event.metadata().level();
        match self.format {
            LogFormat::Kestra => self.protocol.log(kestra_level(level), &text),
            LogFormat::Terminal => {
                // A closed stderr must not turn a log line into a panic.
                let _ = writeln!(
                    std::io::stderr(),
                    "{:>5} {text}",
                    level.as_str().to_lowercase()
                );
            }
        }
    }
}

fn kestra_level(level: Level) -> &'static str {
    match level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARN",
        Level::INFO => "INFO",
        Level::DEBUG => "DEBUG",
        Level::TRACE => "TRACE",
    }
}

/// Installs the global subscriber. `AM_LOG` (an env-filter) sets the verbosity; info by default.
pub fn init(format: LogFormat, protocol: Protocol) {
    let redactor = protocol.redactor().clone();
    let filter = EnvFilter::try_from_env("AM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = ProtocolLayer {
        format,
        protocol,
        redactor,
    };
    // A second init (tests, the CLI running phases in-process) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init();
}
