//! The page's two languages, and how the one to show is chosen.
//!
//! No web dependency: the browser's preferences and the reader's choice arrive as plain
//! strings, so the rule is tested natively. The UI keeps the current [`Lang`] in a signal
//! (see `ui::i18n`).

/// A language the page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese, the article's language.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Both languages, in the order the switch lists them.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The short code used in the URL (`?lang=zh`) and in saved state.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The BCP 47 tag for `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language's name written in itself, as the switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    /// Reads a language from a code or a BCP 47 tag: `zh`, `zh-CN`, `zh-Hant-TW`, `en`,
    /// `en-GB` (any case); `None` for any other language or for text that is not a tag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language to show: the reader's explicit choice (URL, then saved) when it names one
    /// of ours, else the first of the browser's preferred languages that is ours. A browser
    /// that prefers only other languages gets English, as the likelier one for its reader; one
    /// that states no preference gets Chinese, the article's language.
    pub fn choose<'a>(
        chosen: impl IntoIterator<Item = &'a str>,
        preferred: impl IntoIterator<Item = &'a str>,
    ) -> Lang {
        if let Some(lang) = chosen.into_iter().find_map(Lang::from_tag) {
            return lang;
        }
        let mut any_preference = false;
        for tag in preferred {
            any_preference = true;
            if let Some(lang) = Lang::from_tag(tag) {
                return lang;
            }
        }
        if any_preference { Lang::En } else { Lang::Zh }
    }

    /// `zh` or `en`, whichever is this language.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// `count` with its English noun, singular or plural: "1 epoch", "3 epochs", "0 files".
pub fn count_en(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_counts_agree_with_their_noun() {
        assert_eq!(count_en(1, "epoch", "epochs"), "1 epoch");
        assert_eq!(count_en(0, "file", "files"), "0 files");
        assert_eq!(count_en(5, "epoch", "epochs"), "5 epochs");
    }

    #[test]
    fn tags_are_read_by_their_primary_subtag() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("ZH_hant_tw"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag(" en-GB "), Some(Lang::En));
        assert_eq!(Lang::from_tag("de-DE"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(Lang::from_tag("<script>"), None);
    }

    #[test]
    fn a_choice_beats_the_browser_and_chinese_is_the_fallback() {
        assert_eq!(Lang::choose(["en"], ["zh-CN"]), Lang::En);
        assert_eq!(Lang::choose(["xx"], ["fr", "en-US", "zh"]), Lang::En);
        assert_eq!(Lang::choose([], ["zh-TW", "en"]), Lang::Zh);
        assert_eq!(Lang::choose([], ["fr", "de"]), Lang::En);
        assert_eq!(Lang::choose([], []), Lang::Zh);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.code()), Some(lang));
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }
}
