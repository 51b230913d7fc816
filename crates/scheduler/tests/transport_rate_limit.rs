#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The rate-limited wrapper passes messages, names and lookup support through to the transport it wraps.

use std::sync::Arc;
use std::time::Duration;

use vigil_scheduler::transport::{LogSms, Lookup, OutgoingSms, RateLimitedSms, SmsTransport};

#[tokio::test]
async fn the_wrapper_sends_through_the_inner_transport_within_its_burst() {
    let outbox = tempfile::tempdir().unwrap();
    let inner: Arc<dyn SmsTransport> = Arc::new(LogSms::new(outbox.path().to_path_buf()));
    let limited = RateLimitedSms::new(inner, 3000);
    assert_eq!(limited.name(), "log");
    assert!(limited.supports_lookup());

    let burst = tokio::time::timeout(Duration::from_secs(10), async {
        for n in 0..20 {
            let sms = OutgoingSms {
                to: "+447700900123".to_owned(),
                body: "Reminder".to_owned(),
                reference: format!("ref-{n}"),
            };
            limited.send(&sms).await.unwrap();
        }
    })
    .await;
    assert!(burst.is_ok(), "20 sends are well inside a burst of 300");
    assert!(matches!(
        limited.lookup("ref-19").await.unwrap(),
        Lookup::Found { .. }
    ));
}
