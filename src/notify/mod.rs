//! Notifications: a webhook (Slack- or Discord-compatible JSON) told when a pull request is
//! opened or merged, when a run fails, and once a day what the runs of the last 24 hours did.
//! A notification that cannot be delivered is a warning, never a failure of the run.

pub mod digest;
pub mod event;
pub mod webhook;

pub use event::Event;
pub use webhook::{notify, Webhook, WebhookFormat};
