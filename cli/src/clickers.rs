//! `clicksift clickers`: who clicked for real, per campaign and across
//! campaigns.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use clicksift::{Assessment, Click, EventKind, Source, Verdict};
use serde::Serialize;

use crate::input::{InputArgs, judge_all, show_time};
use crate::{EngineArgs, exit};

/// How the list is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// CSV with a header row.
    #[default]
    Csv,
    /// One JSON array of objects.
    Json,
}

/// Arguments of `clicksift clickers`.
#[derive(Args)]
pub struct ClickersArgs {
    #[command(flatten)]
    input: InputArgs,
    /// How to write the list.
    #[arg(long = "output-format", value_enum, default_value_t = ListFormat::Csv)]
    output_format: ListFormat,
    /// List recipients who clicked in several campaigns instead, with their
    /// counts of campaigns and clicks and their first and last click.
    #[arg(long)]
    across_campaigns: bool,
    /// With --across-campaigns: the fewest campaigns to be listed.
    #[arg(long, value_name = "N", default_value_t = 2)]
    min_campaigns: usize,
    #[command(flatten)]
    engine: EngineArgs,
}

/// A genuine click: the engine says human, made by the recipient.
pub fn is_genuine(click: &Click, a: &Assessment) -> bool {
    click.kind == EventKind::Click && a.verdict == Verdict::Human && a.source == Source::Recipient
}

#[derive(Serialize)]
struct CampaignClicker<'a> {
    campaign: &'a str,
    recipient: &'a str,
    first_click: String,
    clicks: u64,
}

#[derive(Serialize)]
struct RepeatClicker<'a> {
    recipient: &'a str,
    campaigns: usize,
    clicks: u64,
    first_click: String,
    last_click: String,
}

/// What is known of one recipient's genuine clicks.
#[derive(Default)]
struct Tally<'a> {
    campaigns: BTreeSet<&'a str>,
    clicks: u64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl<'a> Tally<'a> {
    fn add(&mut self, click: &'a Click) {
        self.campaigns.insert(&click.campaign);
        self.clicks += 1;
        self.first = Some(self.first.map_or(click.at, |t| t.min(click.at)));
        self.last = Some(self.last.map_or(click.at, |t| t.max(click.at)));
    }
}

pub fn run(args: &ClickersArgs) -> ExitCode {
    let engine = match args.engine.build() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let log = match judge_all(&args.input, &engine) {
        Ok(log) => log,
        Err(message) => {
            eprintln!("clicksift: {message}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let written = if args.across_campaigns {
        write_repeat(&mut out, args, &log.clicks, &log.assessments)
    } else {
        write_per_campaign(&mut out, args.output_format, &log.clicks, &log.assessments)
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) if log.rejected > 0 => ExitCode::from(exit::REJECTED),
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("clicksift: standard output: {e}");
            ExitCode::from(exit::IO)
        }
    }
}

/// Each (campaign, recipient) with genuine clicks, in order of campaign
/// then recipient.
fn per_campaign<'a>(
    clicks: &'a [Click],
    judged: &[Assessment],
) -> BTreeMap<(&'a str, &'a str), Tally<'a>> {
    let mut tallies: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
    for (click, a) in clicks.iter().zip(judged) {
        if is_genuine(click, a) {
            let key = (click.campaign.as_str(), click.recipient.as_str());
            tallies.entry(key).or_default().add(click);
        }
    }
    tallies
}

fn write_per_campaign(
    out: &mut impl Write,
    format: ListFormat,
    clicks: &[Click],
    judged: &[Assessment],
) -> io::Result<()> {
    let rows: Vec<CampaignClicker> = per_campaign(clicks, judged)
        .into_iter()
        .map(|((campaign, recipient), t)| CampaignClicker {
            campaign,
            recipient,
            first_click: t.first.map(show_time).unwrap_or_default(),
            clicks: t.clicks,
        })
        .collect();
    write_rows(
        out,
        format,
        &["campaign", "recipient", "first_click", "clicks"],
        &rows,
    )
}

fn write_repeat(
    out: &mut impl Write,
    args: &ClickersArgs,
    clicks: &[Click],
    judged: &[Assessment],
) -> io::Result<()> {
    let mut people: BTreeMap<&str, Tally> = BTreeMap::new();
    for (click, a) in clicks.iter().zip(judged) {
        if is_genuine(click, a) {
            people.entry(&click.recipient).or_default().add(click);
        }
    }
    let mut rows: Vec<RepeatClicker> = people
        .into_iter()
        .filter(|(_, t)| t.campaigns.len() >= args.min_campaigns)
        .map(|(recipient, t)| RepeatClicker {
            recipient,
            campaigns: t.campaigns.len(),
            clicks: t.clicks,
            first_click: t.first.map(show_time).unwrap_or_default(),
            last_click: t.last.map(show_time).unwrap_or_default(),
        })
        .collect();

    // Most campaigns first, then most clicks; the recipient breaks ties.
    rows.sort_by(|a, b| {
        (b.campaigns, b.clicks)
            .cmp(&(a.campaigns, a.clicks))
            .then_with(|| a.recipient.cmp(b.recipient))
    });
    let header = [
        "recipient",
        "campaigns",
        "clicks",
        "first_click",
        "last_click",
    ];
    write_rows(out, args.output_format, &header, &rows)
}

fn write_rows<T: Serialize>(
    out: &mut impl Write,
    format: ListFormat,
    header: &[&str],
    rows: &[T],
) -> io::Result<()> {
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows).map_err(io::Error::other)?;
            out.write_all(b"\n")
        }
        ListFormat::Csv => {
            // The header is written even when no one clicked.
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out);
            writer.write_record(header).map_err(io::Error::other)?;
            for row in rows {
                writer.serialize(row).map_err(io::Error::other)?;
            }
            writer.flush()
        }
    }
}
