//! Campaign heuristics: what a whole click log reveals that one click
//! cannot.
//!
//! Many machine clicks look human one at a time; their relation to the
//! other events of the campaign gives them away: a honeypot hit nearby,
//! every link of a message requested at once, one address requesting the
//! links of many recipients within seconds, a request from a new address
//! after the recipient reported the message. The heuristics turn these
//! relations into [`CampaignFacts`], which rules test like any other field
//! (`campaign.*`).
//!
//! # Streaming and batch
//!
//! [`Stream`] takes events in time order and judges each once every event
//! up to [`CampaignSettings::horizon`] seconds after it has been seen: no
//! later event can change its facts. [`assess_log`] sorts a whole log by
//! time and runs it through the same stream, so the two agree, and the
//! result does not depend on the order of the input.
//!
//! # Bounded state
//!
//! The stream keeps the events of the last two horizons, indexes of them
//! by recipient, address and network, and per recipient the time of their
//! first report and the addresses and agents they used before it. Window
//! state expires with time. The rest is capped by
//! [`CampaignSettings::max_tracked_keys`]: when the keys held exceed it,
//! the report state of the recipients updated longest ago is dropped, and
//! when the events within the horizon alone exceed it (a flood), the
//! oldest waiting event is judged at once with the events seen so far.
//!
//! # Limitations
//!
//! Facts that look back over hours, the report state and the newest
//! browser of a campaign, forget what eviction dropped, so under a flood
//! past the cap a stream can judge differently from a batch run without
//! the cap.

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash};
use std::net::IpAddr;

use hashbrown::HashMap;
use serde::Deserialize;

use crate::agent::AgentClass;
use crate::click::{Click, EventKind};
use crate::engine::{Cache, Engine};
use crate::evidence::{CampaignField, Value};
use crate::verdict::Assessment;

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
    /// The longest window: how long after an event its facts can still
    /// change, and so how long a stream holds it.
    pub fn horizon(&self) -> f64 {
        [
            self.honeypot_window,
            self.sweep_window,
            self.burst_window,
            self.fanout_window,
            self.probe_window,
            self.double_click_window,
        ]
        .into_iter()
        .fold(0.0, f64::max)
    }

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
    /// See `campaign.unfamiliar_after_report`.
    pub unfamiliar_after_report: bool,
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
            C::UnfamiliarAfterReport => Value::Bool(self.unfamiliar_after_report),
            C::ProbeBeforeRequest => Value::Bool(self.probe),
            C::FollowsProbe => Value::Bool(self.follows_probe),
            C::DoubleClick => Value::Bool(self.double_click),
            C::WithSweep => Value::Bool(self.with_sweep),
            C::VersionsBehindCampaign => self.versions_behind.map_or(Value::Missing, count),
        }
    }
}

/// Most distinct address-and-agent pairs remembered per recipient for
/// telling their own later requests from an investigator's.
pub const MAX_PAIRS_PER_RECIPIENT: usize = 8;

/// An event the stream has judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    /// The number [`Stream::push`] returned for the event.
    pub seq: u64,
    /// The event.
    pub click: Click,
    /// The judgement, with the campaign facts taken into account.
    pub assessment: Assessment,
}

/// An event came earlier than one already pushed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutOfOrder {
    /// The newest time pushed so far, in milliseconds since 1970.
    pub newest_ms: i64,
    /// The time of the rejected event, in milliseconds since 1970.
    pub at_ms: i64,
}

impl std::fmt::Display for OutOfOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "event is {:.3} s older than one already seen; a stream needs events in time order",
            (self.newest_ms - self.at_ms) as f64 / 1000.0
        )
    }
}

impl std::error::Error for OutOfOrder {}

/// Judges a whole log with the campaign heuristics; the judgements come
/// back in input order, and do not depend on that order.
pub fn assess_log(engine: &Engine, clicks: &[Click], cache: &mut Cache) -> Vec<Assessment> {
    let mut order: Vec<usize> = (0..clicks.len()).collect();
    order.sort_by(|&a, &b| canonical(&clicks[a], &clicks[b]));
    // The stream borrows the events: the log outlives it.
    let mut core: Core<&Click> = Core::new(engine);
    let mut placed = Placed {
        position: Vec::with_capacity(clicks.len()),
        slots: vec![None; clicks.len()],
    };
    for &i in &order {
        placed.position.push(i);
        if let Some(click) = clicks.get(i) {
            // Sorted input is never out of order.
            let _ = core.push(click);
            core.ready(engine, cache, &mut placed);
        }
    }
    core.finish(engine, cache, &mut placed);
    // Reports are not judged; every other slot was filled.
    placed
        .slots
        .into_iter()
        .zip(clicks)
        .map(|(a, c)| a.unwrap_or_else(|| engine.assess(c, cache)))
        .collect()
}

/// Puts each judgement of [`assess_log`] in its event's place in the log.
struct Placed {
    /// For each sequence number, the event's index in the log.
    position: Vec<usize>,
    slots: Vec<Option<Assessment>>,
}

impl Sink for Placed {
    fn judged(&mut self, seq: u64, _: &Click, assessment: Assessment) {
        let index = usize::try_from(seq).ok().and_then(|s| self.position.get(s));
        if let Some(slot) = index.and_then(|&i| self.slots.get_mut(i)) {
            *slot = Some(assessment);
        }
    }
}

/// A total order on events: time first, then every field, so that equal
/// times sort the same whatever the input order.
fn canonical(a: &Click, b: &Click) -> std::cmp::Ordering {
    (
        a.at,
        &a.campaign,
        &a.recipient,
        a.kind,
        &a.ip,
        &a.user_agent,
        &a.link,
        &a.method,
        &a.url,
    )
        .cmp(&(
            b.at,
            &b.campaign,
            &b.recipient,
            b.kind,
            &b.ip,
            &b.user_agent,
            &b.link,
            &b.method,
            &b.url,
        ))
        .then_with(|| (&a.id, &a.headers, &a.reverse_dns).cmp(&(&b.id, &b.headers, &b.reverse_dns)))
}

/// What the stream keeps of an event while it is within the horizon: the
/// event itself, to judge it, and what other events' facts read of it.
struct Slot<C> {
    seq: u64,
    ms: i64,
    campaign: u32,
    /// None for the placeholder of a report's number.
    click: Option<C>,
    kind: EventKind,
    ip: Option<IpAddr>,
    honeypot: bool,
    probe: bool,
    /// A probe by the person's own software (Office, browser prefetch),
    /// as opposed to a bare HEAD that gateways send too.
    own_probe: bool,
    /// An ordinary browser's family (by hash) and major version.
    browser: Option<(u64, u32)>,
    agent: u64,
    recipient: u64,
    /// The link requested (by hash), for counting distinct links.
    link: Option<u64>,
    judged: bool,
}

/// Buffers reused from one event's facts to the next, so that counting
/// distinct links, addresses and recipients allocates nothing.
#[derive(Default)]
struct Scratch {
    hashes: Vec<u64>,
    addresses: Vec<IpAddr>,
    open_links: Vec<u64>,
}

/// The number of distinct values in `values`, which it sorts.
fn distinct<T: Ord>(values: &mut Vec<T>) -> u32 {
    values.sort_unstable();
    values.dedup();
    values.len() as u32
}

/// Per recipient: their first report and the pairs they used before it.
#[derive(Default)]
struct RecipientState {
    report_ms: Option<i64>,
    pairs: Vec<(IpAddr, u64, i64)>,
    touched_ms: i64,
}

type Key<K> = (u32, K);

/// The campaign heuristics over a stream of events in time order.
///
/// Push events with [`Stream::push`], collect the judgements that are
/// ready with [`Stream::ready`], and the rest with [`Stream::finish`].
pub struct Stream {
    core: Core<Click>,
}

/// Where judgements go as the stream makes them.
trait Sink {
    fn judged(&mut self, seq: u64, click: &Click, assessment: Assessment);
}

impl Sink for Vec<Judged> {
    fn judged(&mut self, seq: u64, click: &Click, assessment: Assessment) {
        self.push(Judged {
            seq,
            click: click.clone(),
            assessment,
        });
    }
}

/// Hands judgements to a caller's function.
struct Visit<F>(F);

impl<F: FnMut(u64, &Click, Assessment)> Sink for Visit<F> {
    fn judged(&mut self, seq: u64, click: &Click, assessment: Assessment) {
        (self.0)(seq, click, assessment);
    }
}

/// The stream's workings, over events it owns ([`Stream`]) or borrows
/// ([`assess_log`], which has the whole log at hand).
struct Core<C> {
    settings: CampaignSettings,
    windows: Windows,
    horizon_ms: i64,
    incoming: VecDeque<(u64, C)>,
    next_seq: u64,
    newest_ms: Option<i64>,
    slots: VecDeque<Slot<C>>,
    front_seq: u64,
    /// The sequence number of the first slot not yet judged.
    waiting_from: u64,
    campaigns: HashMap<Box<str>, u32>,
    by_recipient: HashMap<Key<u64>, VecDeque<u64>>,
    by_address: HashMap<Key<IpAddr>, VecDeque<u64>>,
    by_network: HashMap<Key<IpAddr>, VecDeque<u64>>,
    recipients: HashMap<Key<u64>, RecipientState>,
    /// Per campaign and browser family (by hash), the newest major seen.
    newest_major: HashMap<(u32, u64), u32>,
    hasher: hashbrown::DefaultHashBuilder,
    scratch: Scratch,
    /// Emptied index lists, kept so that a key that comes and goes does
    /// not allocate a list each time; at most [`MAX_SPARE_LISTS`].
    spare: Vec<VecDeque<u64>>,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("waiting", &self.held_events())
            .field("tracked_keys", &self.tracked_keys())
            .finish()
    }
}

fn ms(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

/// The settings' windows in milliseconds, worked out once per stream.
struct Windows {
    honeypot: i64,
    sweep: i64,
    burst: i64,
    fanout: i64,
    probe: i64,
    double_click: i64,
}

impl Windows {
    fn new(s: &CampaignSettings) -> Windows {
        Windows {
            honeypot: ms(s.honeypot_window),
            sweep: ms(s.sweep_window),
            burst: ms(s.burst_window),
            fanout: ms(s.fanout_window),
            probe: ms(s.probe_window),
            double_click: ms(s.double_click_window),
        }
    }
}

impl Stream {
    /// A stream with the engine's campaign settings.
    pub fn new(engine: &Engine) -> Stream {
        Stream {
            core: Core::new(engine),
        }
    }

    /// Takes the next event and returns its sequence number, which its
    /// [`Judged`] carries.
    ///
    /// # Errors
    ///
    /// Returns [`OutOfOrder`] for an event older than one pushed before;
    /// it is not taken.
    pub fn push(&mut self, click: Click) -> Result<u64, OutOfOrder> {
        self.core.push(click)
    }

    /// The judgements no later event can change, in time order.
    pub fn ready(&mut self, engine: &Engine, cache: &mut Cache) -> Vec<Judged> {
        let mut out = Vec::new();
        self.core.ready(engine, cache, &mut out);
        out
    }

    /// Every remaining judgement: call at the end of the stream.
    pub fn finish(&mut self, engine: &Engine, cache: &mut Cache) -> Vec<Judged> {
        let mut out = Vec::new();
        self.core.finish(engine, cache, &mut out);
        out
    }

    /// As [`Stream::ready`], but hands each judgement to `visit` with the
    /// event's sequence number and a reference to the event, which saves
    /// copying every event into a [`Judged`].
    pub fn ready_with(
        &mut self,
        engine: &Engine,
        cache: &mut Cache,
        visit: impl FnMut(u64, &Click, Assessment),
    ) {
        self.core.ready(engine, cache, &mut Visit(visit));
    }

    /// As [`Stream::finish`], handing each judgement to `visit` as
    /// [`Stream::ready_with`] does.
    pub fn finish_with(
        &mut self,
        engine: &Engine,
        cache: &mut Cache,
        visit: impl FnMut(u64, &Click, Assessment),
    ) {
        self.core.finish(engine, cache, &mut Visit(visit));
    }

    /// Keys held now: recipients, addresses and networks in the window,
    /// recipients' report state, campaigns and browsers. Never more than
    /// [`CampaignSettings::max_tracked_keys`] plus the keys of one event.
    pub fn tracked_keys(&self) -> usize {
        self.core.tracked_keys()
    }

    /// Changes the cap on tracked keys of this stream (see
    /// [`CampaignSettings::max_tracked_keys`]); at least 1.
    pub fn set_max_tracked_keys(&mut self, cap: usize) {
        self.core.settings.max_tracked_keys = cap.max(1);
    }

    /// Events held, waiting or kept for the windows of others.
    pub fn held_events(&self) -> usize {
        self.core.incoming.len() + self.core.slots.len()
    }
}

impl<C: Borrow<Click>> Core<C> {
    fn new(engine: &Engine) -> Core<C> {
        let settings = engine.campaign_settings().clone();
        Core {
            windows: Windows::new(&settings),
            horizon_ms: ms(settings.horizon()),
            settings,
            incoming: VecDeque::new(),
            next_seq: 0,
            newest_ms: None,
            slots: VecDeque::new(),
            front_seq: 0,
            waiting_from: 0,
            campaigns: HashMap::new(),
            by_recipient: HashMap::new(),
            by_address: HashMap::new(),
            by_network: HashMap::new(),
            recipients: HashMap::new(),
            newest_major: HashMap::new(),
            hasher: hashbrown::DefaultHashBuilder::default(),
            scratch: Scratch::default(),
            spare: Vec::new(),
        }
    }

    fn push(&mut self, click: C) -> Result<u64, OutOfOrder> {
        let at_ms = click.borrow().at.timestamp_millis();
        if let Some(newest_ms) = self.newest_ms.filter(|&n| at_ms < n) {
            return Err(OutOfOrder { newest_ms, at_ms });
        }
        self.newest_ms = Some(at_ms);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.incoming.push_back((seq, click));
        Ok(seq)
    }

    fn ready(&mut self, engine: &Engine, cache: &mut Cache, out: &mut impl Sink) {
        while let Some((seq, click)) = self.incoming.pop_front() {
            let at_ms = click.borrow().at.timestamp_millis();
            // An event waits until one arrives strictly beyond its horizon:
            // events exactly at the horizon still fall in its windows.
            self.judge_until(at_ms - self.horizon_ms - 1, engine, cache, out);
            self.apply(seq, click, engine, cache);
            self.enforce_cap(engine, cache, out);
        }
    }

    fn finish(&mut self, engine: &Engine, cache: &mut Cache, out: &mut impl Sink) {
        self.ready(engine, cache, out);
        self.judge_until(i64::MAX, engine, cache, out);
    }

    fn tracked_keys(&self) -> usize {
        self.by_recipient.len()
            + self.by_address.len()
            + self.by_network.len()
            + self.recipients.len()
            + self.campaigns.len()
            + self.newest_major.len()
    }

    fn hash<T: Hash>(&self, value: T) -> u64 {
        self.hasher.hash_one(value)
    }

    fn slot(&self, seq: u64) -> Option<&Slot<C>> {
        self.slots.get(seq.checked_sub(self.front_seq)? as usize)
    }

    /// Records an event in the window and the long-lived state.
    fn apply(&mut self, seq: u64, event: C, engine: &Engine, cache: &mut Cache) {
        let click = event.borrow();
        let at_ms = click.at.timestamp_millis();
        let campaign = self.campaign_id(&click.campaign);
        let recipient = self.hash(click.recipient.as_str());
        let agent_text = click.user_agent.as_deref().unwrap_or("");
        let agent = self.hash(agent_text);
        let info = engine.agents().analyze(agent_text, cache.agents_mut());
        let probe = is_probe(click, info.class());
        let own_probe = info.class() == AgentClass::Office || is_prefetch(click);
        let browser = match (info.class(), info.family.as_deref(), info.major) {
            (AgentClass::Browser, Some(family), Some(major)) => Some((self.hash(family), major)),
            _ => None,
        };
        if let Some((family, major)) = browser {
            let newest = self.newest_major.entry((campaign, family)).or_insert(major);
            *newest = (*newest).max(major);
        }
        let link = click.link.as_deref().map(|l| self.hash(l));
        self.remember_recipient(campaign, recipient, click, agent, at_ms);
        if click.kind == EventKind::Report {
            return;
        }
        let spare = &mut self.spare;
        if let Some(ip) = click.ip {
            push_seq(&mut self.by_address, (campaign, ip), seq, spare);
            push_seq(&mut self.by_network, (campaign, network_of(ip)), seq, spare);
        }
        push_seq(&mut self.by_recipient, (campaign, recipient), seq, spare);
        if self.slots.is_empty() {
            self.front_seq = seq;
        }
        // Sequence numbers of slots are consecutive; reports take a number
        // but no slot, so pad with the next expected number.
        let expected = self.front_seq + self.slots.len() as u64;
        for pad in expected..seq {
            self.slots.push_back(Slot::placeholder(pad, at_ms));
        }
        let (kind, ip, honeypot) = (click.kind, click.ip, click.honeypot);
        self.slots.push_back(Slot {
            seq,
            ms: at_ms,
            campaign,
            click: Some(event),
            kind,
            ip,
            honeypot,
            probe,
            own_probe,
            browser,
            agent,
            recipient,
            link,
            judged: false,
        });
    }

    fn campaign_id(&mut self, name: &str) -> u32 {
        let next = self.campaigns.len() as u32;
        *self.campaigns.entry_ref(name).or_insert(next)
    }

    fn remember_recipient(
        &mut self,
        campaign: u32,
        recipient: u64,
        click: &Click,
        agent: u64,
        at_ms: i64,
    ) {
        let state = self.recipients.entry((campaign, recipient)).or_default();
        state.touched_ms = at_ms;
        if click.kind == EventKind::Report {
            state.report_ms.get_or_insert(at_ms);
            return;
        }
        let Some(ip) = click.ip else { return };
        let known = state.pairs.iter().any(|&(i, a, _)| i == ip && a == agent);
        if !known && state.pairs.len() < MAX_PAIRS_PER_RECIPIENT {
            state.pairs.push((ip, agent, at_ms));
        }
    }

    /// Judges every waiting event at or before `until_ms`, then drops the
    /// events no waiting event can still look back to.
    fn judge_until(
        &mut self,
        until_ms: i64,
        engine: &Engine,
        cache: &mut Cache,
        out: &mut impl Sink,
    ) {
        let mut index = self.first_waiting();
        while let Some(slot) = self.slots.get(index) {
            if slot.ms > until_ms {
                break;
            }
            if !slot.judged {
                self.judge(index, engine, cache, out);
            }
            index += 1;
        }
        self.waiting_from = self.front_seq + index as u64;
        self.evict(until_ms);
    }

    fn judge(&mut self, index: usize, engine: &Engine, cache: &mut Cache, out: &mut impl Sink) {
        let Some(slot) = self.slots.get(index) else {
            return;
        };
        let Some(click) = slot.click.as_ref().map(Borrow::borrow) else {
            return;
        };
        if slot.kind == EventKind::Report {
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let facts = self.facts(slot, click, &mut scratch);
        self.scratch = scratch;
        let assessment = engine.assess_with(click, Some(&facts), cache);
        out.judged(slot.seq, click, assessment);
        if let Some(slot) = self.slots.get_mut(index) {
            slot.judged = true;
        }
    }

    /// Drops slots older than the horizon before the oldest waiting event,
    /// with their index entries.
    fn evict(&mut self, until_ms: i64) {
        let oldest_waiting = self
            .slots
            .get(self.first_waiting())
            .map_or(until_ms, |s| s.ms);
        let keep_from = oldest_waiting.min(until_ms).saturating_sub(self.horizon_ms);
        while let Some(front) = self.slots.front() {
            if front.ms >= keep_from || !front.judged {
                break;
            }
            if let Some(slot) = self.slots.pop_front() {
                self.unindex(&slot);
            }
            self.front_seq += 1;
        }
    }

    /// Where the first slot not yet judged is: slots are judged in order,
    /// so every slot before it is judged.
    fn first_waiting(&self) -> usize {
        self.waiting_from.saturating_sub(self.front_seq) as usize
    }

    fn unindex(&mut self, slot: &Slot<C>) {
        if slot.kind == EventKind::Report {
            return;
        }
        let seq = slot.seq;
        let spare = &mut self.spare;
        pop_seq(
            &mut self.by_recipient,
            (slot.campaign, slot.recipient),
            seq,
            spare,
        );
        if let Some(ip) = slot.ip {
            pop_seq(&mut self.by_address, (slot.campaign, ip), seq, spare);
            pop_seq(
                &mut self.by_network,
                (slot.campaign, network_of(ip)),
                seq,
                spare,
            );
        }
    }

    /// Keeps the keys held within the cap: first the report state of the
    /// recipients updated longest ago, then, for a flood within the
    /// horizon, the oldest waiting events are judged early.
    fn enforce_cap(&mut self, engine: &Engine, cache: &mut Cache, out: &mut impl Sink) {
        let cap = self.settings.max_tracked_keys;
        if self.tracked_keys() <= cap {
            return;
        }
        if !self.recipients.is_empty() {
            let mut ages: Vec<(i64, Key<u64>)> = self
                .recipients
                .iter()
                .map(|(k, s)| (s.touched_ms, *k))
                .collect();
            ages.sort_unstable();
            let excess = self.tracked_keys().saturating_sub(cap / 2);
            for (_, key) in ages.into_iter().take(excess) {
                self.recipients.remove(&key);
            }
        }
        while self.tracked_keys() > cap && !self.slots.is_empty() {
            let Some(front) = self.slots.front() else {
                break;
            };
            let until = front.ms;
            let before = self.slots.len();
            self.judge_until(until, engine, cache, out);
            if self.slots.len() == before {
                // Everything left is judged but within the horizon of the
                // newest event; drop the oldest to stay within the cap.
                if let Some(slot) = self.slots.pop_front() {
                    self.unindex(&slot);
                    self.front_seq += 1;
                }
            }
        }

        // Campaign names and browsers outlive the window. With no event
        // held, only the report state still refers to campaign numbers, so
        // all three can go together and numbering starts afresh.
        if self.tracked_keys() > cap && self.slots.is_empty() {
            self.newest_major.clear();
            self.recipients.clear();
            self.campaigns.clear();
        }
    }
}

impl<C> Slot<C> {
    fn placeholder(seq: u64, ms: i64) -> Slot<C> {
        Slot {
            seq,
            ms,
            campaign: u32::MAX,
            click: None,
            kind: EventKind::Report,
            ip: None,
            honeypot: false,
            probe: false,
            own_probe: false,
            browser: None,
            agent: 0,
            recipient: 0,
            link: None,
            judged: true,
        }
    }
}

/// Most emptied index lists kept for reuse (see `Core::spare`), and the
/// largest capacity kept: a busy key's long list is freed, so the spares
/// stay a few tens of kilobytes.
const MAX_SPARE_LISTS: usize = 1024;
const MAX_SPARE_CAPACITY: usize = 16;

/// Adds `seq` to the list of `key`, starting the list from a spare one.
fn push_seq<K: Hash + Eq>(
    map: &mut HashMap<K, VecDeque<u64>>,
    key: K,
    seq: u64,
    spare: &mut Vec<VecDeque<u64>>,
) {
    map.entry(key)
        .or_insert_with(|| spare.pop().unwrap_or_default())
        .push_back(seq);
}

/// Drops the numbers up to `seq` from the list of `key`, and the key with
/// its list once that is empty, keeping the list's buffer as a spare.
fn pop_seq<K: Hash + Eq>(
    map: &mut HashMap<K, VecDeque<u64>>,
    key: K,
    seq: u64,
    spare: &mut Vec<VecDeque<u64>>,
) {
    if let Some(list) = map.get_mut(&key) {
        while list.front().is_some_and(|&s| s <= seq) {
            list.pop_front();
        }
        if list.is_empty() {
            if let Some(list) = map.remove(&key) {
                if spare.len() < MAX_SPARE_LISTS && list.capacity() <= MAX_SPARE_CAPACITY {
                    spare.push(list);
                }
            }
        }
    }
}

/// The /24 of an IPv4 address or the /48 of an IPv6 one.
fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(a) => IpAddr::V4((u32::from(a) & 0xffff_ff00).into()),
        IpAddr::V6(a) => IpAddr::V6((u128::from(a) & !((1u128 << 80) - 1)).into()),
    }
}

/// A request that checks a link rather than opens it for a person.
fn is_probe(click: &Click, class: AgentClass) -> bool {
    matches!(click.method.as_str(), "HEAD" | "OPTIONS")
        || class == AgentClass::Office
        || is_prefetch(click)
}

/// The browser marks the request as a prefetch.
fn is_prefetch(click: &Click) -> bool {
    ["purpose", "sec-purpose", "x-moz"].iter().any(|h| {
        click
            .header(h)
            .is_some_and(|v| v.to_ascii_lowercase().contains("prefetch"))
    })
}

impl<C: Borrow<Click>> Core<C> {
    /// Works out the facts of one event from the events around it: one
    /// walk over the recipient's requests and one over the address's, each
    /// as wide as the widest window read from it.
    fn facts(&self, slot: &Slot<C>, c: &Click, scratch: &mut Scratch) -> CampaignFacts {
        let w = &self.windows;
        let mut facts = CampaignFacts::default();
        let by_recipient = self.by_recipient.get(&(slot.campaign, slot.recipient));
        let is_open = c.kind == EventKind::Open;
        let widest =
            w.sweep
                .max(w.honeypot)
                .max(w.double_click)
                .max(if is_open { w.burst } else { 0 });
        scratch.hashes.clear();
        scratch.addresses.clear();
        scratch.open_links.clear();
        for o in self.within(by_recipient, slot.ms, widest) {
            let apart = (o.ms - slot.ms).abs();
            let click = o.kind == EventKind::Click;
            let own_agent = o.agent == slot.agent;
            // Sweeps, bursts and rotating addresses are counted among
            // requests with the event's own agent: a scanner keeps its
            // agent while it rotates addresses, and a person's own device,
            // clicking while a gateway sweeps their message, has another.
            if click && own_agent && apart <= w.sweep {
                scratch.hashes.extend(o.link);
                if apart <= w.burst {
                    facts.burst += 1;
                }
                scratch.addresses.extend(o.ip);
            }
            // For the same recipient, only a honeypot hit with the event's
            // own agent counts: the person's device may click while a
            // scanner sweeps.
            if click && own_agent && o.honeypot && apart <= w.honeypot {
                facts.honeypot_near = true;
            }
            if apart <= w.double_click
                && o.seq != slot.seq
                && o.ip == slot.ip
                && own_agent
                && o.link == slot.link
            {
                facts.double_click = true;
            }
            if is_open && click && apart <= w.burst {
                scratch.open_links.extend(o.link);
            }
        }
        facts.links_swept = distinct(&mut scratch.hashes);
        facts.addresses_for_recipient = distinct(&mut scratch.addresses);
        // Several links of the message requested at the moment of an open.
        facts.with_sweep = is_open && distinct(&mut scratch.open_links) >= 2;
        if let Some(ip) = c.ip {
            self.address_facts(slot, ip, &mut facts, scratch);
            let by_network = self.by_network.get(&(slot.campaign, network_of(ip)));
            facts.recipients_from_network = self.distinct_recipients(by_network, slot, scratch);
        }
        self.report_facts(slot, &mut facts);
        facts.versions_behind = self.versions_behind(slot);
        facts
    }

    /// The slots of a key's list within `window_ms` of `at_ms`.
    fn within<'s>(
        &'s self,
        list: Option<&'s VecDeque<u64>>,
        at_ms: i64,
        window_ms: i64,
    ) -> impl Iterator<Item = &'s Slot<C>> + 's {
        // A key's list is in time order: find where the window starts by
        // bisection, so a busy key costs the window, not the whole list.
        let start = list.map_or(0, |l| {
            l.partition_point(|&seq| self.slot(seq).is_some_and(|o| o.ms < at_ms - window_ms))
        });
        // An absent list reads as an empty one: iterating a flattened
        // option costs a test per item.
        static NONE: VecDeque<u64> = VecDeque::new();
        let list = list.unwrap_or(&NONE);
        list.range(start.min(list.len())..)
            .filter_map(|&seq| self.slot(seq))
            .skip_while(move |o| o.ms < at_ms - window_ms)
            .take_while(move |o| o.ms <= at_ms + window_ms)
    }

    /// What the requests from the event's address show: honeypot hits near
    /// it, the recipients it fanned out to, and probes paired with browser
    /// requests.
    fn address_facts(
        &self,
        slot: &Slot<C>,
        ip: IpAddr,
        facts: &mut CampaignFacts,
        scratch: &mut Scratch,
    ) {
        let w = &self.windows;
        let list = self.by_address.get(&(slot.campaign, ip));
        scratch.hashes.clear();
        for o in self.within(list, slot.ms, w.honeypot.max(w.fanout).max(w.probe)) {
            if o.kind != EventKind::Click {
                continue;
            }
            let apart = (o.ms - slot.ms).abs();
            if o.honeypot && apart <= w.honeypot {
                facts.honeypot_near = true;
            }
            if apart <= w.fanout {
                scratch.hashes.push(o.recipient);
            }
            if o.seq == slot.seq || apart > w.probe {
                continue;
            }
            if slot.probe && !o.probe && o.ms >= slot.ms {
                facts.probe = true;
            }
            if !slot.probe && o.own_probe && o.ms <= slot.ms {
                facts.follows_probe = true;
            }
        }
        facts.recipients_from_address = distinct(&mut scratch.hashes);
    }

    fn distinct_recipients(
        &self,
        list: Option<&VecDeque<u64>>,
        slot: &Slot<C>,
        scratch: &mut Scratch,
    ) -> u32 {
        scratch.hashes.clear();
        for o in self.within(list, slot.ms, self.windows.fanout) {
            if o.kind == EventKind::Click {
                scratch.hashes.push(o.recipient);
            }
        }
        distinct(&mut scratch.hashes)
    }

    fn report_facts(&self, slot: &Slot<C>, facts: &mut CampaignFacts) {
        let Some(state) = self.recipients.get(&(slot.campaign, slot.recipient)) else {
            return;
        };
        let Some(report_ms) = state.report_ms.filter(|&r| r <= slot.ms) else {
            return;
        };
        facts.seconds_after_report = Some((slot.ms - report_ms) as f64 / 1000.0);
        let ip = slot.ip;
        facts.unfamiliar_after_report = !state
            .pairs
            .iter()
            .any(|&(i, a, t)| Some(i) == ip && a == slot.agent && t < report_ms);
    }

    fn versions_behind(&self, slot: &Slot<C>) -> Option<u32> {
        let (family, major) = slot.browser?;
        let newest = self.newest_major.get(&(slot.campaign, family))?;
        Some(newest.saturating_sub(major))
    }
}
