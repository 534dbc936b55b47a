//! Campaign heuristics: what a whole click log reveals that one click
//! cannot.

use serde::Deserialize;

use crate::evidence::{CampaignField, Value};

/// Windows and limits of the campaign heuristics, set in a rule file's
/// `[campaign]` table. Every window is in seconds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CampaignSettings {
    /// Requests within this many seconds of a honeypot hit, from the same
    /// address or for the same message, are suspect (default 10: "each
    /// click seems to take about one second", so +/- 10 s is the practice
    /// reported by operators).
    pub honeypot_window: f64,
    /// Distinct links of one message requested within this window count as
    /// a sweep (default 30).
    pub sweep_window: f64,
    /// Requests for one recipient within this window count as a burst
    /// (default 3, after ">3 clicks within 3 seconds").
    pub burst_window: f64,
    /// One address requesting several recipients' links within this window
    /// is a gateway fanning out (default 10); spread over hours it is NAT.
    pub fanout_window: f64,
    /// A probe and the browser request it precedes from the same address
    /// fall within this window (default 5).
    pub probe_window: f64,
    /// The same request repeated within this window is a double click
    /// (default 2).
    pub double_click_window: f64,
    /// Most keys (recipients, addresses, networks, messages) tracked at
    /// once while streaming; see the streaming documentation for eviction.
    pub max_tracked_keys: usize,
}

impl Default for CampaignSettings {
    fn default() -> CampaignSettings {
        CampaignSettings {
            honeypot_window: 10.0,
            sweep_window: 30.0,
            burst_window: 3.0,
            fanout_window: 10.0,
            probe_window: 5.0,
            double_click_window: 2.0,
            max_tracked_keys: 100_000,
        }
    }
}

/// Longest window accepted, in seconds (a day): windows bound the state a
/// stream keeps.
pub const MAX_WINDOW_SECS: f64 = 86_400.0;

impl CampaignSettings {
    pub(crate) fn from_table(table: toml::Table) -> Result<CampaignSettings, String> {
        let settings: CampaignSettings = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| e.message().trim().to_string())?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), String> {
        let windows = [
            ("honeypot_window", self.honeypot_window),
            ("sweep_window", self.sweep_window),
            ("burst_window", self.burst_window),
            ("fanout_window", self.fanout_window),
            ("probe_window", self.probe_window),
            ("double_click_window", self.double_click_window),
        ];
        for (name, w) in windows {
            if !(0.0..=MAX_WINDOW_SECS).contains(&w) {
                return Err(format!(
                    "{name} = {w} is outside 0 to {MAX_WINDOW_SECS} seconds"
                ));
            }
        }
        if self.max_tracked_keys == 0 {
            return Err("max_tracked_keys must be at least 1".into());
        }
        Ok(())
    }
}

/// What the campaign heuristics found about one event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignFacts {
    /// See the `campaign.honeypot_near` field.
    pub honeypot_near: bool,
    /// See `campaign.links_swept`.
    pub links_swept: u32,
    /// See `campaign.burst`.
    pub burst: u32,
    /// See `campaign.addresses_for_recipient`.
    pub addresses_for_recipient: u32,
    /// See `campaign.recipients_from_address`.
    pub recipients_from_address: u32,
    /// See `campaign.recipients_from_network`.
    pub recipients_from_network: u32,
    /// Seconds from the recipient's first report, when one came before.
    pub seconds_after_report: Option<f64>,
    /// See `campaign.probe`.
    pub probe: bool,
    /// See `campaign.follows_probe`.
    pub follows_probe: bool,
    /// See `campaign.double_click`.
    pub double_click: bool,
    /// See `campaign.with_sweep`.
    pub with_sweep: bool,
    /// See `campaign.versions_behind`.
    pub versions_behind: Option<u32>,
}

impl CampaignFacts {
    pub(crate) fn value(&self, field: CampaignField) -> Value<'static> {
        use CampaignField as C;
        let count = |n: u32| Value::Number(f64::from(n));
        match field {
            C::HoneypotNear => Value::Bool(self.honeypot_near),
            C::LinksSwept => count(self.links_swept),
            C::Burst => count(self.burst),
            C::AddressesForRecipient => count(self.addresses_for_recipient),
            C::RecipientsFromAddress => count(self.recipients_from_address),
            C::RecipientsFromNetwork => count(self.recipients_from_network),
            C::AfterReport => Value::Bool(self.seconds_after_report.is_some()),
            C::SecondsAfterReport => self
                .seconds_after_report
                .map_or(Value::Missing, Value::Number),
            C::ProbeBeforeRequest => Value::Bool(self.probe),
            C::FollowsProbe => Value::Bool(self.follows_probe),
            C::DoubleClick => Value::Bool(self.double_click),
            C::WithSweep => Value::Bool(self.with_sweep),
            C::VersionsBehindCampaign => self.versions_behind.map_or(Value::Missing, count),
        }
    }
}
