//! A [`Doc`] as one self-contained HTML page (inline CSS and SVG, no
//! script, no network), A4-printable.

use askama::Template;

use super::charts;
use super::doc::{Block, Doc, Table};

/// A block ready for the template: charts drawn.
enum BlockView<'a> {
    Para(&'a str),
    List(&'a str, &'a [String]),
    Table(&'a Table),
    /// Title, SVG, caption, and the chart's table (its text alternative).
    Chart(&'a str, String, &'a str, &'a Table),
}

struct SectionView<'a> {
    id: &'a str,
    title: &'a str,
    blocks: Vec<BlockView<'a>>,
}

#[derive(Template)]
#[template(path = "doc.html")]
struct DocPage<'a> {
    title: &'a str,
    subtitle: &'a str,
    synthetic: Option<&'static str>,
    landscape: bool,
    sections: Vec<SectionView<'a>>,
}

/// The page of a document.
pub fn page(d: &Doc) -> Result<String, askama::Error> {
    let sections = d
        .sections
        .iter()
        .map(|s| SectionView {
            id: &s.id,
            title: &s.title,
            blocks: s
                .blocks
                .iter()
                .enumerate()
                .map(|(i, b)| match b {
                    Block::Para(t) => BlockView::Para(t),
                    Block::List(t, items) => BlockView::List(t, items),
                    Block::Table(t) => BlockView::Table(t),
                    Block::Chart(c) => BlockView::Chart(
                        &c.title,
                        charts::svg(c, &format!("{}-c{i}", s.id)),
                        &c.caption,
                        &c.table,
                    ),
                })
                .collect(),
        })
        .collect();
    DocPage {
        title: &d.title,
        subtitle: &d.subtitle,
        synthetic: d.synthetic,
        landscape: d.landscape,
        sections,
    }
    .render()
}
