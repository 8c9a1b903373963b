//! The codes of the WRES returns (spec/returns.md) and their labels.
//!
//! Every code has exactly one label, kept in the `codes!` tables below; nothing
//! else in the crate spells a label. Parsing accepts either, case-insensitively,
//! with surrounding whitespace ignored, so a workbook that shows "Band 8a" and a
//! CSV that says `band_8a` land on the same value.

use std::fmt;

/// Declares a closed set of codes with a code string and a label for each.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order of the spec.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The machine code, as written in the CSV long form.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Accepts the code or the label, case-insensitively.
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim();
                // The code as written is what nearly every row holds: one
                // exact pass first, then case and labels.
                Self::ALL.iter().copied().find(|v| v.code() == t).or_else(|| {
                    Self::ALL
                        .iter()
                        .copied()
                        .find(|v| v.code().eq_ignore_ascii_case(t) || v.label().eq_ignore_ascii_case(t))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

codes!(
    /// Ethnicity as the WRES groups it.
    Ethnicity {
        White => ("white", "White"),
        Bme => ("bme", "Black and minority ethnic"),
        Unknown => ("unknown", "Unknown"),
    }
);

impl Ethnicity {
    /// Short label for table headers ("BME", as trust reports print it).
    pub fn short_label(self) -> &'static str {
        match self {
            Ethnicity::White => "White",
            Ethnicity::Bme => "BME",
            Ethnicity::Unknown => "Unknown",
        }
    }

    /// Alternative spellings seen in real returns and reports.
    pub fn parse_lenient(text: &str) -> Option<Self> {
        Self::parse(text).or_else(|| {
            let t = text.trim().to_ascii_lowercase();
            match t.as_str() {
                "bame" | "b.m.e." | "black and minority ethnic (bme)" => Some(Ethnicity::Bme),
                "not stated" | "null" | "prefer not to say" => Some(Ethnicity::Unknown),
                _ => None,
            }
        })
    }
}

codes!(
    /// Staff group of an indicator 1 row.
    StaffGroup {
        NonClinical => ("non_clinical", "Non-clinical"),
        Clinical => ("clinical", "Clinical (non-medical)"),
        Medical => ("medical", "Medical and dental"),
    }
);

codes!(
    /// Pay band, medical grade or board category.
    Category {
        UnderBand1 => ("under_band_1", "Under Band 1"),
        Band1 => ("band_1", "Band 1"),
        Band2 => ("band_2", "Band 2"),
        Band3 => ("band_3", "Band 3"),
        Band4 => ("band_4", "Band 4"),
        Band5 => ("band_5", "Band 5"),
        Band6 => ("band_6", "Band 6"),
        Band7 => ("band_7", "Band 7"),
        Band8a => ("band_8a", "Band 8a"),
        Band8b => ("band_8b", "Band 8b"),
        Band8c => ("band_8c", "Band 8c"),
        Band8d => ("band_8d", "Band 8d"),
        Band9 => ("band_9", "Band 9"),
        Vsm => ("vsm", "Very senior manager"),
        Consultant => ("consultant", "Consultant"),
        SeniorMedicalManager => ("senior_medical_manager", "Of which senior medical manager"),
        NonConsultantCareGrade => ("non_consultant_career_grade", "Non-consultant career grade"),
        Trainee => ("trainee", "Trainee grade"),
        Other => ("other", "Other medical and dental"),
        Total => ("total", "All board members"),
        Voting => ("voting", "Voting board members"),
        Executive => ("executive", "Executive board members"),
    }
);

/// Agenda for Change bands, in order.
pub const BANDS: &[Category] = &[
    Category::UnderBand1,
    Category::Band1,
    Category::Band2,
    Category::Band3,
    Category::Band4,
    Category::Band5,
    Category::Band6,
    Category::Band7,
    Category::Band8a,
    Category::Band8b,
    Category::Band8c,
    Category::Band8d,
    Category::Band9,
    Category::Vsm,
];

/// Medical and dental grades, in order.
pub const MEDICAL_GRADES: &[Category] = &[
    Category::Consultant,
    Category::SeniorMedicalManager,
    Category::NonConsultantCareGrade,
    Category::Trainee,
    Category::Other,
];

/// Board categories of indicator 9.
pub const BOARD: &[Category] = &[Category::Total, Category::Voting, Category::Executive];

impl StaffGroup {
    /// The categories an indicator 1 row of this staff group may carry.
    pub fn categories(self) -> &'static [Category] {
        match self {
            StaffGroup::NonClinical | StaffGroup::Clinical => BANDS,
            StaffGroup::Medical => MEDICAL_GRADES,
        }
    }
}

impl Category {
    /// True for the "of which" rows that must never be added into totals.
    pub fn is_of_which(self) -> bool {
        self == Category::SeniorMedicalManager
    }
}

codes!(
    /// What a row counts.
    Measure {
        Headcount => ("headcount", "Headcount"),
        Shortlisted => ("shortlisted", "Shortlisted applicants"),
        Appointed => ("appointed", "Appointed from shortlisting"),
        Workforce => ("workforce", "Workforce"),
        EnteredDisciplinary => ("entered_disciplinary", "Entered formal disciplinary process"),
        AccessedTraining => ("accessed_training", "Accessed non-mandatory training and CPD"),
        Percent => ("percent", "Percent"),
        Responses => ("responses", "Responses"),
        Members => ("members", "Board members"),
    }
);

impl Measure {
    /// True for whole-number counts; false for survey percentages.
    pub fn is_count(self) -> bool {
        self != Measure::Percent
    }
}

codes!(
    /// The two sections of a return, which usually arrive in different files.
    Section {
        Workforce => ("workforce", "Workforce (indicators 1-4 and 9)"),
        Survey => ("survey", "Staff survey (indicators 5-8)"),
    }
);

/// One of the nine WRES indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Indicator(u8);

impl Indicator {
    pub const ALL: [Indicator; 9] = [
        Indicator(1),
        Indicator(2),
        Indicator(3),
        Indicator(4),
        Indicator(5),
        Indicator(6),
        Indicator(7),
        Indicator(8),
        Indicator(9),
    ];

    pub fn new(n: u8) -> Option<Self> {
        (1..=9).contains(&n).then_some(Indicator(n))
    }

    /// Accepts `3`, `3.0`, `ind3`, `Indicator 3`.
    pub fn parse(text: &str) -> Option<Self> {
        // A bare number, as in nearly every row: no lower-cased copy.
        if let Ok(n) = text.trim().parse::<u8>() {
            return Indicator::new(n);
        }
        let t = text.trim().to_ascii_lowercase();
        let digits = t
            .strip_prefix("indicator")
            .or_else(|| t.strip_prefix("ind"))
            .unwrap_or(&t)
            .trim();
        let digits = digits.strip_suffix(".0").unwrap_or(digits);
        digits.parse::<u8>().ok().and_then(Indicator::new)
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn section(self) -> Section {
        match self.0 {
            5..=8 => Section::Survey,
            _ => Section::Workforce,
        }
    }

    /// Measures the spec allows for this indicator.
    pub fn measures(self) -> &'static [Measure] {
        match self.0 {
            1 => &[Measure::Headcount],
            2 => &[Measure::Shortlisted, Measure::Appointed],
            3 => &[Measure::Workforce, Measure::EnteredDisciplinary],
            4 => &[Measure::Workforce, Measure::AccessedTraining],
            5..=8 => &[Measure::Percent, Measure::Responses],
            _ => &[Measure::Members],
        }
    }

    /// Ethnicities the spec allows for this indicator.
    pub fn ethnicities(self) -> &'static [Ethnicity] {
        match self.0 {
            5..=8 => &[Ethnicity::White, Ethnicity::Bme],
            _ => Ethnicity::ALL,
        }
    }

    /// The indicator's title as trust reports give it.
    pub fn title(self) -> &'static str {
        match self.0 {
            1 => {
                "Percentage of BME staff in each band and staff group compared with the overall workforce"
            }
            2 => {
                "Relative likelihood of White applicants being appointed from shortlisting compared with BME applicants"
            }
            3 => {
                "Relative likelihood of BME staff entering the formal disciplinary process compared with White staff"
            }
            4 => {
                "Relative likelihood of White staff accessing non-mandatory training and CPD compared with BME staff"
            }
            5 => {
                "Staff experiencing harassment, bullying or abuse from patients, relatives or the public in the last 12 months"
            }
            6 => {
                "Staff experiencing harassment, bullying or abuse from staff in the last 12 months"
            }
            7 => {
                "Staff believing the organisation provides equal opportunities for career progression or promotion"
            }
            8 => {
                "Staff experiencing discrimination at work from a manager, team leader or other colleagues"
            }
            _ => {
                "Difference between board membership and the overall workforce (BME percentage points)"
            }
        }
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Earliest reporting year the WRES covers (it started in April 2015).
pub const FIRST_YEAR: i32 = 2015;
/// Latest year a command line may name (a typo guard, not a WRES rule).
pub const LAST_YEAR_ACCEPTED: i32 = 2100;

/// The Model Employer goal year used for parity projections.
pub const MODEL_EMPLOYER_YEAR: i32 = 2028;

/// Latest reporting year accepted: next year, relative to `today_year`.
pub fn last_year(today_year: i32) -> i32 {
    today_year + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_parse_both_ways_case_insensitively() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.code()), Some(*c));
            assert_eq!(Category::parse(&c.label().to_uppercase()), Some(*c));
        }
        assert_eq!(Category::parse("  band 8A "), Some(Category::Band8a));
        assert_eq!(Ethnicity::parse("BME"), Some(Ethnicity::Bme));
        assert_eq!(Ethnicity::parse_lenient("BAME"), Some(Ethnicity::Bme));
        assert_eq!(
            StaffGroup::parse("Medical and Dental"),
            Some(StaffGroup::Medical)
        );
        assert_eq!(
            Measure::parse("Entered_Disciplinary"),
            Some(Measure::EnteredDisciplinary)
        );
        assert_eq!(Category::parse("band_10"), None);
    }

    #[test]
    fn labels_are_unique_within_each_table() {
        let mut seen = std::collections::HashSet::new();
        for c in Category::ALL {
            assert!(seen.insert(c.label().to_lowercase()), "{}", c.label());
        }
    }

    #[test]
    fn indicators_parse_and_know_their_section() {
        assert_eq!(Indicator::parse("3").map(Indicator::number), Some(3));
        assert_eq!(Indicator::parse("3.0").map(Indicator::number), Some(3));
        assert_eq!(
            Indicator::parse("Indicator 8").map(Indicator::number),
            Some(8)
        );
        assert_eq!(Indicator::parse("10"), None);
        assert_eq!(Indicator::parse("0"), None);
        assert_eq!(
            Indicator::new(6).map(Indicator::section),
            Some(Section::Survey)
        );
        assert_eq!(
            Indicator::new(9).map(Indicator::section),
            Some(Section::Workforce)
        );
    }
}
