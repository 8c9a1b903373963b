//! A [`Doc`] as one self-contained HTML page (inline CSS and SVG, no
//! script, no network), A4-printable. The trust pack's page frames its
//! indicator sections with [`section_views`] and the same partial
//! (`templates/doc_sections.html`).

use askama::Template;

use super::charts;
use super::doc::{Block, Doc, Section, Table};

/// A block ready for the template: charts drawn.
pub(super) enum BlockView<'a> {
    Para(&'a str),
    List(&'a str, &'a [String]),
    Table(&'a Table),
    /// Title, SVG, caption, and the chart's table (its text alternative).
    Chart(&'a str, String, &'a str, &'a Table),
    /// A picture drawn elsewhere, and its caption.
    Figure(&'a str, &'a str),
}

pub(super) struct SectionView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub blocks: Vec<BlockView<'a>>,
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

/// Sections with their charts drawn (chart ids `<section id>-c<block>`).
pub(super) fn section_views(sections: &[Section]) -> Vec<SectionView<'_>> {
    sections
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
                    Block::Figure { svg, caption } => BlockView::Figure(svg, caption),
                })
                .collect(),
        })
        .collect()
}

/// The page of a document.
pub fn page(d: &Doc) -> Result<String, askama::Error> {
    DocPage {
        title: &d.title,
        subtitle: &d.subtitle,
        synthetic: d.synthetic,
        landscape: d.landscape,
        sections: section_views(&d.sections),
    }
    .render()
}
