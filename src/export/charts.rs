//! Charts as inline SVG, drawn from a [`Chart`]'s table: no script, no
//! network, printable. Colours are the Okabe-Ito palette (safe for the
//! common colour-vision deficiencies), and series also differ by dash and
//! marker, so no chart depends on colour alone. Each SVG names itself
//! (`role="img"`, `<title>`, `<desc>`); its table follows it on the page.

use std::fmt::Write;

use super::doc::{Chart, ChartKind};
use crate::fmt;

/// Okabe-Ito: blue, vermillion, bluish green, orange, reddish purple, sky blue.
pub const PALETTE: [&str; 6] = [
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9",
];
const DASHES: [&str; 6] = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"];
const INK: &str = "#1a1a1a";
const GRID: &str = "#e3e3e3";

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG of a chart, `id` unique on its page.
pub fn svg(c: &Chart, id: &str) -> String {
    match c.kind {
        ChartKind::Line => line(c, id),
        ChartKind::Bar => bar(c, id),
        ChartKind::Box => boxes(c, id),
        ChartKind::Dot => dots(c, id),
    }
}

/// A value axis: maps values to pixels, linear or log, with round ticks.
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    from: f64,
    to: f64,
}

impl Axis {
    fn new(values: impl Iterator<Item = f64>, refs: &[f64], log: bool, from: f64, to: f64) -> Axis {
        let mut v: Vec<f64> = values
            .chain(refs.iter().copied())
            .filter(|x| x.is_finite() && (!log || *x > 0.0))
            .collect();
        if v.is_empty() {
            v.push(if log { 1.0 } else { 0.0 });
        }
        let (mut lo, mut hi) = (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        if log {
            lo = (lo / 1.25).max(0.05);
            hi = (hi * 1.25).min(50.0);
        } else {
            // Percentages and counts start at zero unless they go below it.
            let span = (hi - lo).max(hi.abs() * 0.1).max(1e-9);
            lo = if lo >= 0.0 { 0.0 } else { lo - span * 0.08 };
            hi += span * 0.08;
            if hi <= lo {
                hi = lo + 1.0;
            }
        }
        Axis {
            lo,
            hi,
            log,
            from,
            to,
        }
    }

    fn t(&self, v: f64) -> f64 {
        if self.log {
            (v.max(self.lo).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    fn px(&self, v: f64) -> f64 {
        let t = self.t(v).clamp(0.0, 1.0);
        self.from + t * (self.to - self.from)
    }

    fn ticks(&self) -> Vec<f64> {
        if self.log {
            return [0.1, 0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 8.0, 16.0]
                .into_iter()
                .filter(|t| *t >= self.lo && *t <= self.hi)
                .collect();
        }
        let raw = (self.hi - self.lo) / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .into_iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(raw);
        let mut t = (self.lo / step).ceil() * step;
        let mut out = Vec::new();
        while t <= self.hi + step * 1e-9 {
            out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
            t += step;
        }
        out
    }
}

fn tick_label(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        fmt::count(v)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').to_string()
    }
}

fn open(out: &mut String, c: &Chart, id: &str, w: f64, h: f64) {
    let desc = describe(c);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px" role="img" aria-labelledby="{id}-t {id}-d" font-family="Arial, Helvetica, sans-serif"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(&c.title),
        esc(&desc)
    );
}

/// A sentence per series: its first and last values, for screen readers
/// (the full data is the table under the chart).
fn describe(c: &Chart) -> String {
    let t = &c.table;
    let mut parts = Vec::new();
    for &s in &c.series {
        let name = t.headers.get(s + 1).cloned().unwrap_or_default();
        let vals: Vec<(usize, &str)> = t
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.cells
                    .get(s)
                    .filter(|x| x.num.is_some())
                    .map(|x| (i, x.text.as_str()))
            })
            .collect();
        match (vals.first(), vals.last()) {
            (Some(a), Some(b)) if a.0 != b.0 => parts.push(format!(
                "{name}: {} in {}, {} in {}",
                a.1, t.rows[a.0].head, b.1, t.rows[b.0].head
            )),
            (Some(a), _) => parts.push(format!("{name}: {} in {}", a.1, t.rows[a.0].head)),
            _ => {}
        }
    }
    if parts.is_empty() {
        "No values to plot.".into()
    } else {
        format!("{}. The table below gives every value.", parts.join("; "))
    }
}

fn legend(out: &mut String, c: &Chart, x0: f64, y: f64) {
    let mut x = x0;
    for (k, &s) in c.series.iter().enumerate() {
        let name = c.table.headers.get(s + 1).cloned().unwrap_or_default();
        let col = PALETTE[k % PALETTE.len()];
        let _ = write!(
            out,
            r#"<line x1="{x}" x2="{}" y1="{y}" y2="{y}" stroke="{col}" stroke-width="2.5" stroke-dasharray="{}"/>"#,
            x + 22.0,
            DASHES[k % DASHES.len()]
        );
        marker(out, k, x + 11.0, y, col);
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="11">{}</text>"#,
            x + 27.0,
            y + 4.0,
            esc(&name)
        );
        x += 36.0 + 6.2 * name.chars().count() as f64;
    }
}

/// Series `k`'s marker: circle, square, triangle, diamond...
fn marker(out: &mut String, k: usize, x: f64, y: f64, col: &str) {
    let _ = match k % 4 {
        0 => write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{col}"/>"#
        ),
        1 => write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="{col}"/>"#,
            x - 3.5,
            y - 3.5
        ),
        2 => write!(
            out,
            r#"<path d="M{x:.1},{:.1} l4,7 h-8 z" fill="{col}"/>"#,
            y - 4.5
        ),
        _ => write!(
            out,
            r#"<path d="M{x:.1},{:.1} l4,4 l-4,4 l-4,-4 z" fill="{col}"/>"#,
            y - 4.0
        ),
    };
}

fn line(c: &Chart, id: &str) -> String {
    let t = &c.table;
    let (w, h, left, right, top, bottom) = (640.0, 300.0, 58.0, 620.0, 14.0, 244.0);
    let refs: Vec<f64> = c.refs.iter().map(|r| r.0).collect();
    let mut vals: Vec<f64> = c
        .series
        .iter()
        .flat_map(|s| t.column(*s))
        .flatten()
        .collect();
    if let Some((lo, hi)) = c.interval {
        vals.extend(t.column(lo).into_iter().flatten());
        vals.extend(t.column(hi).into_iter().flatten());
    }
    let y = Axis::new(vals.into_iter(), &refs, c.log, bottom, top);
    let n = t.rows.len().max(1);
    let step = (right - left) / n as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let mut out = String::new();
    open(&mut out, c, id, w, h);
    frame(&mut out, &y, left, right, &c.axis, top, bottom);
    for (i, r) in t.rows.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
            x(i),
            bottom + 16.0,
            esc(&r.head)
        );
    }
    refs_h(&mut out, c, &y, left, right);
    if let Some((lo, hi)) = c.interval {
        let (l, hh) = (t.column(lo), t.column(hi));
        for i in 0..t.rows.len() {
            if let (Some(a), Some(b)) = (l[i], hh[i]) {
                let (ya, yb) = (y.px(a), y.px(b));
                let _ = write!(
                    out,
                    r#"<path d="M{xi:.1},{ya:.1} V{yb:.1} M{:.1},{ya:.1} h8 M{:.1},{yb:.1} h8" stroke="{}" stroke-width="1.2" fill="none"/>"#,
                    x(i) - 4.0,
                    x(i) - 4.0,
                    PALETTE[0],
                    xi = x(i)
                );
            }
        }
    }
    line_series(&mut out, c, &y, &x);
    legend(&mut out, c, left, h - 14.0);
    out.push_str("</svg>");
    out
}

/// Each series of a line chart: a path joining consecutive rows that have
/// a value, and a marker on each value.
fn line_series(out: &mut String, c: &Chart, y: &Axis, x: &dyn Fn(usize) -> f64) {
    let t = &c.table;
    for (k, &s) in c.series.iter().enumerate() {
        let col = PALETTE[k % PALETTE.len()];
        let vals = t.column(s);
        // Lines join consecutive years only: a gap is a year without a figure.
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in vals.iter().enumerate() {
            match v.filter(|v| v.is_finite()) {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen { "L" } else { "M" },
                        x(i),
                        y.px(v)
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{col}" stroke-width="2.5" stroke-dasharray="{}"/>"#,
            d.trim_end(),
            DASHES[k % DASHES.len()]
        );
        for (i, v) in vals.iter().enumerate() {
            if let Some(v) = v.filter(|v| v.is_finite()) {
                marker(out, k, x(i), y.px(v), col);
            }
        }
    }
}

/// Axis frame, horizontal grid and value ticks, and the axis label.
fn frame(out: &mut String, y: &Axis, left: f64, right: f64, label: &str, top: f64, bottom: f64) {
    let _ = write!(
        out,
        r##"<rect x="{left}" y="{top}" width="{}" height="{}" fill="#fafafa" stroke="#c8c8c8"/>"##,
        right - left,
        bottom - top
    );
    for t in y.ticks() {
        let py = y.px(t);
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{right}" y1="{py:.1}" y2="{py:.1}" stroke="{GRID}"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
            left - 5.0,
            py + 4.0,
            tick_label(t)
        );
    }
    let mid = (top + bottom) / 2.0;
    let _ = write!(
        out,
        r#"<text x="12" y="{mid}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {mid})">{}</text>"#,
        esc(label)
    );
}

/// Horizontal reference lines (parity, the band's edges), labelled at the right.
fn refs_h(out: &mut String, c: &Chart, y: &Axis, left: f64, right: f64) {
    for (v, label) in &c.refs {
        let py = y.px(*v);
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{right}" y1="{py:.1}" y2="{py:.1}" stroke="{INK}" stroke-dasharray="3 3"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="{INK}">{}</text>"#,
            right - 3.0,
            py - 3.0,
            esc(label)
        );
    }
}

/// Vertical value axis across the bottom for horizontal charts.
fn x_axis(out: &mut String, x: &Axis, top: f64, bottom: f64, label: &str) {
    for t in x.ticks() {
        let px = x.px(t);
        let _ = write!(
            out,
            r#"<line x1="{px:.1}" x2="{px:.1}" y1="{top}" y2="{bottom}" stroke="{GRID}"/><text x="{px:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
            bottom + 14.0,
            tick_label(t)
        );
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
        (x.from + x.to) / 2.0,
        bottom + 30.0,
        esc(label)
    );
}

fn refs_v(out: &mut String, c: &Chart, x: &Axis, top: f64, bottom: f64) {
    for (v, label) in &c.refs {
        let px = x.px(*v);
        let _ = write!(
            out,
            r#"<line x1="{px:.1}" x2="{px:.1}" y1="{top}" y2="{bottom}" stroke="{INK}" stroke-dasharray="3 3"/><text x="{:.1}" y="{}" font-size="10" fill="{INK}">{}</text>"#,
            px + 3.0,
            top + 10.0,
            esc(label)
        );
    }
}

fn row_label(out: &mut String, text: &str, x: f64, y: f64) {
    let short: String = if text.chars().count() > 34 {
        text.chars().take(33).collect::<String>() + "…"
    } else {
        text.to_string()
    };
    let _ = write!(
        out,
        r#"<text x="{x}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
        y + 4.0,
        esc(&short)
    );
}

fn bar(c: &Chart, id: &str) -> String {
    let t = &c.table;
    let ns = c.series.len().max(1) as f64;
    let band = 10.0 * ns + 8.0;
    let (left, right, top) = (210.0, 620.0, 10.0);
    let bottom = top + band * t.rows.len().max(1) as f64;
    let (w, h) = (640.0, bottom + 58.0);
    let refs: Vec<f64> = c.refs.iter().map(|r| r.0).collect();
    let vals = c.series.iter().flat_map(|s| t.column(*s)).flatten();
    let x = Axis::new(vals, &refs, false, left, right);
    let mut out = String::new();
    open(&mut out, c, id, w, h);
    x_axis(&mut out, &x, top, bottom, &c.axis);
    for (i, r) in t.rows.iter().enumerate() {
        let y0 = top + band * i as f64 + 4.0;
        row_label(&mut out, &r.head, left - 6.0, y0 + band / 2.0 - 4.0);
        for (k, &s) in c.series.iter().enumerate() {
            if let Some(v) = r.cells.get(s).and_then(|c| c.num) {
                let (a, b) = (x.px(0f64.max(x.lo)), x.px(v));
                let _ = write!(
                    out,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="9" fill="{}"/>"#,
                    a.min(b),
                    y0 + 10.0 * k as f64,
                    (b - a).abs(),
                    PALETTE[k % PALETTE.len()]
                );
            }
        }
    }
    refs_v(&mut out, c, &x, top, bottom);
    legend_boxes(&mut out, c, left, h - 12.0);
    out.push_str("</svg>");
    out
}

fn legend_boxes(out: &mut String, c: &Chart, x0: f64, y: f64) {
    let mut x = x0;
    for (k, &s) in c.series.iter().enumerate() {
        let name = c.table.headers.get(s + 1).cloned().unwrap_or_default();
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>"#,
            y - 8.0,
            PALETTE[k % PALETTE.len()],
            x + 14.0,
            y + 1.0,
            esc(&name)
        );
        x += 30.0 + 6.2 * name.chars().count() as f64;
    }
}

/// Box and dots: per row, q1 to q3 (series 0 and 2) as a box, the median
/// (series 1) as a thick tick, and the row's points as dots.
fn boxes(c: &Chart, id: &str) -> String {
    let t = &c.table;
    let band = 26.0;
    let (left, right, top) = (230.0, 620.0, 10.0);
    let bottom = top + band * t.rows.len().max(1) as f64;
    let (w, h) = (640.0, bottom + 40.0);
    let refs: Vec<f64> = c.refs.iter().map(|r| r.0).collect();
    let vals = c
        .series
        .iter()
        .flat_map(|s| t.column(*s))
        .flatten()
        .chain(c.points.iter().flatten().copied());
    let x = Axis::new(vals, &refs, c.log, left, right);
    let mut out = String::new();
    open(&mut out, c, id, w, h);
    x_axis(&mut out, &x, top, bottom, &c.axis);
    let col = |k: usize| c.series.get(k).map(|s| t.column(*s));
    let (q1, med, q3) = (col(0), col(1), col(2));
    for (i, r) in t.rows.iter().enumerate() {
        let yc = top + band * (i as f64 + 0.5);
        row_label(&mut out, &r.head, left - 6.0, yc);
        for (j, v) in c.points.get(i).into_iter().flatten().enumerate() {
            if !v.is_finite() {
                continue;
            }
            // A fixed spread (no randomness): the same data draws the same page.
            let dy = ((j * 7) % 11) as f64 - 5.0;
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.2" fill="{}" fill-opacity="0.5"/>"#,
                x.px(*v),
                yc + dy,
                PALETTE[5]
            );
        }
        let get = |v: &Option<Vec<Option<f64>>>| v.as_ref().and_then(|v| v[i]);
        if let (Some(a), Some(b)) = (get(&q1), get(&q3)) {
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="16" fill="none" stroke="{}" stroke-width="1.5"/>"#,
                x.px(a),
                yc - 8.0,
                x.px(b) - x.px(a),
                PALETTE[0]
            );
        }
        if let Some(m) = get(&med) {
            let px = x.px(m);
            let _ = write!(
                out,
                r#"<line x1="{px:.1}" x2="{px:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="3.5"/>"#,
                yc - 10.0,
                yc + 10.0,
                PALETTE[1]
            );
        }
    }
    refs_v(&mut out, c, &x, top, bottom);
    out.push_str("</svg>");
    out
}

/// Dot plot: per row, series 0 as a dot and series 1 as a hollow square.
fn dots(c: &Chart, id: &str) -> String {
    let t = &c.table;
    let band = 18.0;
    let (left, right, top) = (250.0, 620.0, 10.0);
    let bottom = top + band * t.rows.len().max(1) as f64;
    let (w, h) = (640.0, bottom + 58.0);
    let refs: Vec<f64> = c.refs.iter().map(|r| r.0).collect();
    let vals = c.series.iter().flat_map(|s| t.column(*s)).flatten();
    let x = Axis::new(vals, &refs, c.log, left, right);
    let mut out = String::new();
    open(&mut out, c, id, w, h);
    x_axis(&mut out, &x, top, bottom, &c.axis);
    for (i, r) in t.rows.iter().enumerate() {
        let yc = top + band * (i as f64 + 0.5);
        row_label(&mut out, &r.head, left - 6.0, yc);
        let get = |k: usize| {
            c.series
                .get(k)
                .and_then(|s| r.cells.get(*s))
                .and_then(|c| c.num)
        };
        if let Some(m) = get(1).filter(|v| v.is_finite()) {
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="none" stroke="{}" stroke-width="1.5"/>"#,
                x.px(m) - 4.0,
                yc - 4.0,
                PALETTE[1]
            );
        }
        if let Some(v) = get(0).filter(|v| v.is_finite()) {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{yc:.1}" r="4" fill="{}"/>"#,
                x.px(v),
                PALETTE[0]
            );
        }
    }
    refs_v_stacked(&mut out, c, &x, top, bottom);
    legend_boxes(&mut out, c, left, h - 12.0);
    out.push_str("</svg>");
    out
}

/// Vertical reference lines, each labelled on its own line at the top of
/// the plot, so two close lines do not print over each other.
fn refs_v_stacked(out: &mut String, c: &Chart, x: &Axis, top: f64, bottom: f64) {
    for (k, (v, label)) in c.refs.iter().enumerate() {
        let px = x.px(*v);
        // Labels right of their line, or left of it near the right edge.
        let (tx, anchor) = if px > x.to - 120.0 {
            (px - 3.0, "end")
        } else {
            (px + 3.0, "start")
        };
        let _ = write!(
            out,
            r#"<line x1="{px:.1}" x2="{px:.1}" y1="{top}" y2="{bottom}" stroke="{INK}" stroke-dasharray="{}"/><text x="{tx:.1}" y="{:.1}" font-size="10" text-anchor="{anchor}" fill="{INK}">{}</text>"#,
            if k == 0 { "5 2" } else { "1 2" },
            top - 2.0 + 11.0 * (k as f64 + 1.0),
            esc(label)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::doc::{Cell, Table};

    fn years_table() -> Table {
        let mut t = Table::new("t", &["Year", "Trust", "Median"]);
        t.row(
            "2023",
            vec![Cell::num(1.5, "1.50".into(), 2), Cell::text("–")],
        );
        t.row(
            "2024",
            vec![
                Cell::num(1.2, "1.20".into(), 2),
                Cell::num(1.3, "1.30".into(), 2),
            ],
        );
        t
    }

    #[test]
    fn a_line_chart_names_itself_and_says_its_first_and_last_values() {
        let c = Chart::new(ChartKind::Line, "Ratio <by> year", years_table()).series(&[0, 1]);
        let s = svg(&c, "c1");
        assert!(s.contains(r#"<title id="c1-t">Ratio &lt;by&gt; year</title>"#));
        assert!(s.contains("Trust: 1.50 in 2023, 1.20 in 2024; Median: 1.30 in 2024"));
        // One path per series; the median's single point has no line but a marker.
        assert_eq!(
            s.matches("stroke-width=\"2.5\" stroke-dasharray").count(),
            2 + 2
        );
    }

    #[test]
    fn linear_ticks_are_round_and_cover_the_range() {
        let a = Axis::new([3.0, 47.0].into_iter(), &[], false, 0.0, 100.0);
        assert_eq!(a.lo, 0.0);
        let t = a.ticks();
        assert_eq!(t, vec![0.0, 20.0, 40.0]);
        // Never more than a step of the axis without a tick.
        assert!(a.hi - 40.0 < 20.0);
    }
}
