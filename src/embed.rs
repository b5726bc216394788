//! Embedding one part of the page in another site: which parts there are, how `?embed=` names
//! them, and the `<iframe>` snippet a blog pastes. No web dependency, so it is tested natively;
//! the page (`ui::embed`) shows the part alone and reports its height.
//!
//! The embedded page posts `{type: "price-war-lab:height", height}` (CSS pixels, a whole
//! number) to its parent on load and on every size change; the snippet's few lines of script
//! set the iframe's height from it, so the iframe never scrolls.

/// The `type` of the height message the embedded page posts to its parent.
pub const HEIGHT_MESSAGE: &str = "price-war-lab:height";

/// The query parameter that selects a part, e.g. `?embed=price-war`.
pub const QUERY_KEY: &str = "embed";

/// A part of the page that can be shown alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The article's six formulas.
    Formulas,
    /// The whole cost model: training, serving and the price war.
    CostModel,
    /// The cost model's training-cost card.
    TrainingCost,
    /// The cost model's serving-cost card.
    ServingCost,
    /// The cost model's price-war card.
    PriceWar,
    /// The in-browser trainer.
    Trainer,
}

impl Part {
    /// Every part, in page order.
    pub const ALL: [Part; 6] = [
        Part::Formulas,
        Part::CostModel,
        Part::TrainingCost,
        Part::ServingCost,
        Part::PriceWar,
        Part::Trainer,
    ];

    /// The value of `?embed=`.
    pub fn code(self) -> &'static str {
        match self {
            Part::Formulas => "formulas",
            Part::CostModel => "cost-model",
            Part::TrainingCost => "training-cost",
            Part::ServingCost => "serving-cost",
            Part::PriceWar => "price-war",
            Part::Trainer => "trainer",
        }
    }

    /// Reads a `?embed=` value; `None` for anything that is not exactly a part's code.
    pub fn from_code(code: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The part's name: (Chinese, English).
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Part::Formulas => ("文章中的六个公式", "The article's formulas"),
            Part::CostModel => ("成本模型（全部）", "The cost model (all of it)"),
            Part::TrainingCost => ("训练成本", "Training cost"),
            Part::ServingCost => ("推理成本", "Serving cost"),
            Part::PriceWar => ("价格战", "The price war"),
            Part::Trainer => ("浏览器内训练", "The in-browser trainer"),
        }
    }

    /// Whether the part reads the cost model's inputs, so its link carries them.
    pub fn uses_cost_model(self) -> bool {
        matches!(
            self,
            Part::CostModel | Part::TrainingCost | Part::ServingCost | Part::PriceWar
        )
    }
}

/// The HTML a host page pastes: the iframe, and a listener that sets its height from the
/// embedded page's messages, accepting them only from `origin` (e.g. `https://example.org`).
/// `src` is the absolute URL of the embedded page, `title` the iframe's accessible name.
pub fn snippet(src: &str, origin: &str, title: &str) -> String {
    format!(
        "<iframe src=\"{src}\" title=\"{title}\" width=\"100%\" height=\"600\" \
         style=\"border:0;width:100%\" loading=\"lazy\"></iframe>\n\
         <script>\n\
         // Price War Lab: fit the iframe to its content, so it never scrolls.\n\
         addEventListener(\"message\", function (e) {{\n\
         \x20 if (e.origin !== {origin_js} || !e.data || e.data.type !== \"{HEIGHT_MESSAGE}\") return;\n\
         \x20 document.querySelectorAll(\"iframe\").forEach(function (f) {{\n\
         \x20   if (f.contentWindow === e.source) f.style.height = e.data.height + \"px\";\n\
         \x20 }});\n\
         }});\n\
         </script>\n",
        src = attribute(src),
        title = attribute(title),
        origin_js = js_string(origin),
    )
}

/// Escapes text for a double-quoted HTML attribute.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A JavaScript string literal that cannot end the `<script>` element it sits in.
fn js_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("\\u003c"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_nothing_else_is_a_part() {
        for part in Part::ALL {
            assert_eq!(Part::from_code(part.code()), Some(part));
        }
        for other in ["", "Formulas", "price_war", "header", "<script>"] {
            assert_eq!(Part::from_code(other), None, "{other:?}");
        }
    }

    #[test]
    fn the_snippet_escapes_the_url_and_checks_the_origin() {
        let html = snippet(
            "https://blog.example/tools/pwl/?embed=price-war&lang=en",
            "https://blog.example",
            "Price War Lab: \"the price war\"",
        );
        assert!(
            html.contains("src=\"https://blog.example/tools/pwl/?embed=price-war&amp;lang=en\"")
        );
        assert!(html.contains("title=\"Price War Lab: &quot;the price war&quot;\""));
        assert!(html.contains("e.origin !== \"https://blog.example\""));
        assert!(html.contains("\"price-war-lab:height\""));
        assert_eq!(html.matches("<script>").count(), 1);
        assert_eq!(js_string("</script>"), "\"\\u003c/script>\"");
    }
}
