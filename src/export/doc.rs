//! One document model for every page and workbook export writes: a
//! [`Doc`] is a list of sections, each a list of blocks (paragraphs,
//! tables, charts). HTML ([`super::render_html`]) and Excel
//! ([`super::render_xlsx`]) render the same value, so the two forms of a
//! report cannot lay out or say different things.
//!
//! Every chart carries its data as a table: the HTML prints it under the
//! chart (the chart's text alternative), and the Excel chart is drawn from
//! it.

use crate::fmt;
use crate::metric::{Kind, Metric};

/// A report: a title, what it is about, and its sections in reading order.
pub struct Doc {
    pub title: String,
    /// One line under the title (organisation, group, region, year).
    pub subtitle: String,
    /// Said on every page and sheet of a document made from synthetic returns.
    pub synthetic: Option<&'static str>,
    pub sections: Vec<Section>,
    /// Print orientation: wide tables print landscape.
    pub landscape: bool,
}

/// A section: a heading in HTML, a sheet in Excel.
pub struct Section {
    /// The HTML anchor (`ind2`, `model-employer`).
    pub id: String,
    pub title: String,
    /// The Excel sheet name (at most 31 characters, no `[]:*?/\`).
    pub sheet: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(id: &str, title: impl Into<String>, sheet: &str) -> Section {
        Section {
            id: id.to_string(),
            title: title.into(),
            sheet: sheet.to_string(),
            blocks: Vec::new(),
        }
    }

    pub fn para(&mut self, text: impl Into<String>) -> &mut Self {
        let t = text.into();
        if !t.is_empty() {
            self.blocks.push(Block::Para(t));
        }
        self
    }

    pub fn table(&mut self, t: Table) -> &mut Self {
        self.blocks.push(Block::Table(t));
        self
    }

    pub fn chart(&mut self, c: Chart) -> &mut Self {
        self.blocks.push(Block::Chart(c));
        self
    }

    pub fn figure(&mut self, svg: String, caption: String) -> &mut Self {
        self.blocks.push(Block::Figure { svg, caption });
        self
    }

    pub fn list(&mut self, title: impl Into<String>, items: Vec<String>) -> &mut Self {
        if !items.is_empty() {
            self.blocks.push(Block::List(title.into(), items));
        }
        self
    }
}

pub enum Block {
    Para(String),
    /// A titled bullet list (key findings).
    List(String, Vec<String>),
    Table(Table),
    Chart(Chart),
    /// A picture drawn elsewhere (a trust pack's funnel plot): the SVG
    /// with its own title and description, and a caption. In Excel only
    /// the caption is written (the plot is in the HTML).
    Figure {
        svg: String,
        caption: String,
    },
}

/// A table whose first column heads each row.
#[derive(Clone)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Printed under the table.
    pub note: String,
}

impl Table {
    pub fn new(caption: impl Into<String>, headers: &[&str]) -> Table {
        Table {
            caption: caption.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            note: String::new(),
        }
    }

    pub fn with_headers(caption: impl Into<String>, headers: Vec<String>) -> Table {
        Table {
            caption: caption.into(),
            headers,
            rows: Vec::new(),
            note: String::new(),
        }
    }

    pub fn row(&mut self, head: impl Into<String>, cells: Vec<Cell>) -> &mut Self {
        self.rows.push(Row {
            head: head.into(),
            cells,
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Table {
        self.note = note.into();
        self
    }

    /// The numbers of column `col` (0 = the first cell after the row head).
    pub fn column(&self, col: usize) -> Vec<Option<f64>> {
        self.rows
            .iter()
            .map(|r| r.cells.get(col).and_then(|c| c.num))
            .collect()
    }
}

#[derive(Clone)]
pub struct Row {
    pub head: String,
    pub cells: Vec<Cell>,
}

/// One cell: the text people read, and the number behind it (written as a
/// number in Excel, at `dp` decimals; `None` for words and blanks).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    pub num: Option<f64>,
    pub dp: usize,
    /// Shading of a judgement (`better`, `worse`, `similar`, `neutral`,
    /// `rejected`, `missing`), or empty.
    pub class: &'static str,
}

impl Cell {
    /// A number shown as `text`, stored at `dp` decimals.
    pub fn num(v: f64, text: String, dp: usize) -> Cell {
        Cell {
            text,
            num: Some(v),
            dp,
            class: "",
        }
    }

    /// An optional number: "–" when there is none.
    pub fn opt(v: Option<f64>, dp: usize, show: impl Fn(f64) -> String) -> Cell {
        match v {
            Some(x) => Cell::num(x, show(x), dp),
            None => Cell::text("–"),
        }
    }

    /// A figure of `metric`, printed and stored at the metric's decimals.
    pub fn metric(v: Option<f64>, metric: Metric) -> Cell {
        Cell::opt(v, metric.decimals(), |x| metric.format(x))
    }

    pub fn count(v: Option<f64>) -> Cell {
        Cell::opt(v, 0, fmt::count)
    }

    pub fn pct1(v: Option<f64>) -> Cell {
        Cell::opt(v, 1, fmt::pct1)
    }

    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            num: None,
            dp: 0,
            class: "",
        }
    }

    /// The cell's CSS classes: its shading, and `text` for words (left
    /// aligned; numbers, `*` and `–` stay right aligned with their column).
    pub fn css(&self) -> String {
        let words = self.num.is_none() && self.text.chars().count() > 3;
        match (self.class, words) {
            ("", false) => String::new(),
            ("", true) => "text".into(),
            (c, false) => c.into(),
            (c, true) => format!("{c} text"),
        }
    }

    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = class;
        self
    }
}

/// How a chart draws its table.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum ChartKind {
    /// One line per series over the rows (years), in order.
    Line,
    /// Horizontal bars, one per row, of each series.
    Bar,
    /// Per row (a trust), a dot for series 0 and a square for series 1
    /// (its group's median).
    Dot,
    /// Per row (a group or region), a box from q1 to q3 with the median
    /// marked, and the dots of `points`. Series are q1, median, q3.
    Box,
}

/// A chart and its data.
#[derive(Clone)]
pub struct Chart {
    pub kind: ChartKind,
    /// Short title (the Excel chart title, the SVG's title).
    pub title: String,
    /// What the chart shows, for people: printed under it.
    pub caption: String,
    /// The y (value) axis label, with units.
    pub axis: String,
    /// The data, and the text alternative.
    pub table: Table,
    /// Table columns (0 = the first cell after the row head) drawn as series.
    pub series: Vec<usize>,
    /// Columns of the 95% interval of the first series, drawn as whiskers.
    pub interval: Option<(usize, usize)>,
    /// Reference lines across the plot (a parity band's edges, parity).
    pub refs: Vec<(f64, String)>,
    /// For [`ChartKind::Box`]: each row's dots (trust values shown under
    /// disclosure control).
    pub points: Vec<Vec<f64>>,
    /// Draw the value axis on a log scale (relative likelihoods).
    pub log: bool,
}

impl Chart {
    pub fn new(kind: ChartKind, title: impl Into<String>, table: Table) -> Chart {
        Chart {
            kind,
            title: title.into(),
            caption: String::new(),
            axis: String::new(),
            table,
            series: Vec::new(),
            interval: None,
            refs: Vec::new(),
            points: Vec::new(),
            log: false,
        }
    }

    pub fn series(mut self, cols: &[usize]) -> Chart {
        self.series = cols.to_vec();
        self
    }

    pub fn caption(mut self, c: impl Into<String>) -> Chart {
        self.caption = c.into();
        self
    }

    pub fn axis(mut self, a: impl Into<String>) -> Chart {
        self.axis = a.into();
        self
    }

    /// Whether the chart has anything to draw.
    pub fn has_data(&self) -> bool {
        self.series
            .iter()
            .any(|c| self.table.column(*c).iter().any(Option::is_some))
    }
}

/// A short sheet name for an indicator's figure (Excel allows 31 characters).
pub fn sheet_name(m: Metric) -> &'static str {
    match m {
        Metric::Ind1BmePct => "Ind 1 BME % of staff",
        Metric::Ind2RelativeLikelihood => "Ind 2 appointment",
        Metric::Ind3RelativeLikelihood => "Ind 3 disciplinary",
        Metric::Ind4RelativeLikelihood => "Ind 4 training",
        Metric::Ind5Pct => "Ind 5 harassment (public)",
        Metric::Ind6Pct => "Ind 6 harassment (staff)",
        Metric::Ind7Pct => "Ind 7 progression",
        Metric::Ind8Pct => "Ind 8 discrimination",
        Metric::Ind8GapPp => "Ind 8 gap",
        Metric::Ind9DiffPp => "Ind 9 board",
        _ => m.code(),
    }
}

/// The value axis of a metric's charts, with its unit.
pub fn axis_label(m: Metric) -> String {
    match m.kind() {
        Kind::RelativeLikelihood => "Relative likelihood (log scale)".into(),
        Kind::Gap | Kind::BoardDiff => "Percentage points".into(),
        _ => "Per cent".into(),
    }
}
