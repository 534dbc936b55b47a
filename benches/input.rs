//! Throughput of the JSON Lines, CSV and access-log readers on 200k
//! generated clicks: `cargo bench --bench input`.

use std::hint::black_box;
use std::io::Cursor;

use clicksift::input::{self, CombinedOptions, CsvMapping, Format};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CLICKS: usize = 200_000;

const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                  (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36";

fn json_lines() -> Vec<u8> {
    let mut out = String::new();
    for i in 0..CLICKS {
        out.push_str(&format!(
            "{{\"id\":\"{i}\",\"campaign\":\"q1\",\"recipient\":\"user{}@example.com\",\
             \"at\":\"2026-03-02T09:{:02}:{:02}Z\",\"sent_at\":\"2026-03-02T09:00:00Z\",\
             \"ip\":\"198.51.{}.{}\",\"user_agent\":\"{UA}\",\"method\":\"GET\",\
             \"url\":\"/?rid=r{i}\",\"headers\":{{\"referer\":\"https://mail.example.com/\"}}}}\n",
            i % 5000,
            (i / 60) % 60,
            i % 60,
            (i / 256) % 256,
            i % 256,
        ));
    }
    out.into_bytes()
}

fn csv() -> Vec<u8> {
    let mut out =
        String::from("id,campaign,recipient,at,sent_at,ip,user_agent,method,url,header:referer\n");
    for i in 0..CLICKS {
        out.push_str(&format!(
            "{i},q1,user{}@example.com,2026-03-02T09:{:02}:{:02}Z,2026-03-02T09:00:00Z,\
             198.51.{}.{},\"{UA}\",GET,/?rid=r{i},https://mail.example.com/\n",
            i % 5000,
            (i / 60) % 60,
            i % 60,
            (i / 256) % 256,
            i % 256,
        ));
    }
    out.into_bytes()
}

fn access_log() -> Vec<u8> {
    let mut out = String::new();
    for i in 0..CLICKS {
        out.push_str(&format!(
            "198.51.{}.{} - - [02/Mar/2026:09:{:02}:{:02} +0000] \"GET /?rid=r{i} HTTP/1.1\" \
             200 1843 \"https://mail.example.com/\" \"{UA}\"\n",
            (i / 256) % 256,
            i % 256,
            (i / 60) % 60,
            i % 60,
        ));
    }
    out.into_bytes()
}

fn count(format: Format, bytes: &[u8]) -> usize {
    let records = input::read(format, Cursor::new(bytes)).expect("readable");
    records.filter(Result::is_ok).count()
}

fn readers(c: &mut Criterion) {
    let mut group = c.benchmark_group("input");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CLICKS as u64));
    let cases = [
        ("jsonl", Format::JsonLines, json_lines()),
        ("csv", Format::Csv(CsvMapping::new()), csv()),
        (
            "combined",
            Format::Combined(CombinedOptions::default()),
            access_log(),
        ),
    ];
    for (name, format, bytes) in cases {
        assert_eq!(
            count(format.clone(), &bytes),
            CLICKS,
            "{name}: every line a click"
        );
        group.bench_function(name, |b| {
            b.iter(|| count(format.clone(), black_box(&bytes)))
        });
    }
    group.finish();
}

criterion_group!(benches, readers);
criterion_main!(benches);
