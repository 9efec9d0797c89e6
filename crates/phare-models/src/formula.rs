//! Formulas in fixest's syntax.
//!
//! ```text
//! y ~ x1 + x2 + x1:x2 | fe1 + fe2
//! y ~ 0 + x1                             (no intercept)
//! y ~ x1 | fe1 | endog ~ z1 + z2         (2SLS with fixed effects)
//! y ~ x1 | endog ~ z1 + z2               (2SLS without fixed effects)
//! ```
//!
//! The part after `|` lists fixed effects to absorb (the intercept is then absorbed too); a part
//! containing `~` is the instrumental-variables part: endogenous regressors `~` instruments. Terms
//! are column names (letters, digits, `_`, `.`; other names in backticks), interactions `a:b`
//! (the product of numeric columns), or factors `i(var)` / `i(var, ref = level)` expanded into one
//! dummy per level (event studies: `i(rel_period, ref = -1)`), or `i(var, x)` / `i(var, x, ref =
//! level)`, one slope of the numeric column `x` per level (dummy × x). Errors point at the
//! offending character.

use phare_core::{Error, Result};

/// A factor term `i(var, ref = level)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    /// The categorical column.
    pub var: String,
    /// Levels left out (the reference); empty means all levels (one is then dropped as collinear
    /// when the model has an intercept or fixed effects).
    pub refs: Vec<String>,
    /// `i(var, x)`: a numeric column multiplying each level's dummy (one slope of `x` per level,
    /// named `var::level:x`); `None` for plain dummies.
    pub slope: Option<String>,
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    /// The text as given.
    pub text: String,
    /// The outcome column.
    pub outcome: String,
    /// Regressors: each a list of columns multiplied together (one column for a plain term).
    pub terms: Vec<Vec<String>>,
    /// Factors expanded into one dummy per level, `i(var)` or `i(var, ref = level)`; their dummies
    /// come after the other regressors, named `var::level`.
    pub factors: Vec<Factor>,
    /// Whether an intercept is estimated (false with `0`/`-1`, or absorbed by fixed effects).
    pub intercept: bool,
    /// Fixed effects to absorb.
    pub fixed_effects: Vec<String>,
    /// Endogenous regressors (instrumental-variables part `| endog ~ instruments`).
    pub endogenous: Vec<String>,
    /// Excluded instruments.
    pub instruments: Vec<String>,
}

impl Formula {
    /// Parses `text`.
    ///
    /// ```
    /// let f = phare_models::Formula::parse("lwage ~ union + exper:educ | nr + year").unwrap();
    /// assert_eq!(f.terms, vec![vec!["union".to_string()], vec!["exper".into(), "educ".into()]]);
    /// assert_eq!(f.fixed_effects, ["nr", "year"]);
    /// assert!(phare_models::Formula::parse("y ~ x *").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the character at fault.
    pub fn parse(text: &str) -> Result<Formula> {
        let mut p = Parser { text, chars: text.char_indices().collect(), pos: 0 };
        let outcome = p.name()?;
        p.expect('~')?;
        let mut terms = Vec::new();
        let mut factors: Vec<Factor> = Vec::new();
        let mut intercept = true;
        loop {
            p.skip_ws();
            if p.peek() == Some('-') {
                p.pos += 1;
                p.skip_ws();
                if p.peek() == Some('1') {
                    p.pos += 1;
                    intercept = false;
                } else {
                    return Err(p.error("only `-1` can be subtracted (to remove the intercept)"));
                }
            } else if p.peek() == Some('0') || p.peek() == Some('1') {
                let c = p.peek();
                p.pos += 1;
                if c == Some('0') {
                    intercept = false;
                }
            } else if p.at_factor() {
                let factor = p.factor()?;
                if !factors.contains(&factor) {
                    factors.push(factor);
                }
            } else {
                let mut term = vec![p.name()?];
                while p.peek_ws() == Some(':') {
                    p.skip_ws();
                    p.pos += 1;
                    term.push(p.name()?);
                }
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
            match p.peek_ws() {
                Some('+') => {
                    p.skip_ws();
                    p.pos += 1;
                }
                Some('-') => {}
                Some('|') | None => break,
                Some(_) => {
                    p.skip_ws();
                    return Err(p.error("expected `+`, `:` or `|` between terms"));
                }
            }
        }
        let mut fixed_effects = Vec::new();
        let mut endogenous = Vec::new();
        let mut instruments = Vec::new();
        while p.peek_ws() == Some('|') {
            p.skip_ws();
            p.pos += 1;
            if !endogenous.is_empty() {
                return Err(p.error("nothing may follow the instrumental-variables part"));
            }
            let mut names = vec![p.name()?];
            loop {
                match p.peek_ws() {
                    Some('+') => {
                        p.skip_ws();
                        p.pos += 1;
                        names.push(p.name()?);
                    }
                    Some('~') => {
                        p.skip_ws();
                        p.pos += 1;
                        endogenous = std::mem::take(&mut names);
                        instruments.push(p.name()?);
                        while p.peek_ws() == Some('+') {
                            p.skip_ws();
                            p.pos += 1;
                            instruments.push(p.name()?);
                        }
                        break;
                    }
                    None | Some('|') => break,
                    Some(_) => {
                        p.skip_ws();
                        return Err(p.error("expected `+`, `~` or `|`"));
                    }
                }
            }
            if endogenous.is_empty() {
                if !fixed_effects.is_empty() {
                    return Err(p.error("only one fixed-effects part is allowed"));
                }
                fixed_effects = names;
            } else if p.peek_ws().is_some() && p.peek_ws() != Some('|') {
                p.skip_ws();
                return Err(p.error("unexpected text after the instruments"));
            }
        }
        if !endogenous.is_empty() && instruments.len() < endogenous.len() {
            return Err(Error::InvalidArgument {
                name: "formula".into(),
                value: format!("`{text}`"),
                reason: format!(
                    "{} endogenous regressor(s) but only {} instrument(s): the model is not identified",
                    endogenous.len(),
                    instruments.len()
                ),
                hint: Some("give at least as many excluded instruments as endogenous regressors".into()),
            });
        }
        if !fixed_effects.is_empty() {
            intercept = false;
        }
        if terms.is_empty() && factors.is_empty() && !intercept && fixed_effects.is_empty() && endogenous.is_empty() {
            return Err(Error::InvalidArgument {
                name: "formula".into(),
                value: format!("`{text}`"),
                reason: "the model has no regressor and no intercept".into(),
                hint: Some("add a regressor or the intercept".into()),
            });
        }
        Ok(Formula {
            text: text.to_string(),
            outcome,
            terms,
            factors,
            intercept,
            fixed_effects,
            endogenous,
            instruments,
        })
    }

    /// The names of the terms as shown in results: `x`, or `a:b` for an interaction.
    pub fn term_names(&self) -> Vec<String> {
        self.terms.iter().map(|t| t.join(":")).collect()
    }
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|c| c.1)
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }
    fn peek_ws(&self) -> Option<char> {
        self.chars[self.pos..].iter().map(|c| c.1).find(|c| !c.is_whitespace())
    }
    fn expect(&mut self, c: char) -> Result<()> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{c}`")))
        }
    }
    /// Whether the next term is `i(`.
    fn at_factor(&self) -> bool {
        let rest: String = self.chars[self.pos..].iter().map(|c| c.1).filter(|c| !c.is_whitespace()).take(2).collect();
        rest == "i("
    }

    /// `i(var)`, `i(var, ref = level)`, `i(var, x)` or `i(var, x, ref = level)`.
    fn factor(&mut self) -> Result<Factor> {
        self.skip_ws();
        self.pos += 1; // i
        self.expect('(')?;
        let var = self.name()?;
        let mut refs = Vec::new();
        let mut slope = None;
        while self.peek_ws() == Some(',') {
            self.skip_ws();
            self.pos += 1;
            let key = self.name()?;
            if key != "ref" || self.peek_ws() != Some('=') {
                if slope.is_some() || !refs.is_empty() {
                    return Err(self.error("expected `ref = level` (the slope variable comes second, once)"));
                }
                slope = Some(key);
                continue;
            }
            self.expect('=')?;
            self.skip_ws();
            let start = self.pos;
            if self.peek() == Some('"') {
                self.pos += 1;
                while self.peek().is_some_and(|c| c != '"') {
                    self.pos += 1;
                }
                if self.peek().is_none() {
                    return Err(self.error("unclosed quote"));
                }
                refs.push(self.chars[start + 1..self.pos].iter().map(|c| c.1).collect());
                self.pos += 1;
            } else {
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '.' || c == '_') {
                    self.pos += 1;
                }
                if start == self.pos {
                    return Err(self.error("expected a reference level"));
                }
                refs.push(self.chars[start..self.pos].iter().map(|c| c.1).collect());
            }
        }
        self.expect(')')?;
        Ok(Factor { var, refs, slope })
    }

    fn name(&mut self) -> Result<String> {
        self.skip_ws();
        if self.peek() == Some('`') {
            self.pos += 1;
            let start = self.pos;
            while self.peek().is_some_and(|c| c != '`') {
                self.pos += 1;
            }
            if self.peek().is_none() {
                return Err(self.error("unclosed backtick"));
            }
            let name: String = self.chars[start..self.pos].iter().map(|c| c.1).collect();
            self.pos += 1;
            return Ok(name);
        }
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error("expected a column name"));
        }
        Ok(self.chars[start..self.pos].iter().map(|c| c.1).collect())
    }
    fn error(&self, what: &str) -> Error {
        let col = self.chars.get(self.pos).map_or(self.text.chars().count(), |_| self.pos);
        let found = self.peek().map_or("the end".to_string(), |c| format!("`{c}`"));
        Error::InvalidArgument {
            name: "formula".into(),
            value: format!("`{}`", self.text),
            reason: format!("{what}; found {found} at character {}", col + 1),
            // On its own lines, indented, so the caret sits under the character in any terminal.
            hint: Some(format!(
                "the formula, with the position marked:\n    {}\n    {}^ here",
                self.text,
                " ".repeat(col)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_shapes() {
        let f = Formula::parse("y ~ x1 + x2").unwrap();
        assert_eq!((f.outcome.as_str(), f.terms.len(), f.intercept), ("y", 2, true));
        let f = Formula::parse("y ~ 0 + x").unwrap();
        assert!(!f.intercept);
        let f = Formula::parse("y ~ x - 1").unwrap();
        assert!(!f.intercept);
        let f = Formula::parse("y ~ `my var` + a:b | fe").unwrap();
        assert_eq!(f.term_names(), ["my var", "a:b"]);
        assert!(!f.intercept);
        let f = Formula::parse("y ~ 1 | a + b").unwrap();
        assert!(f.terms.is_empty() && f.fixed_effects.len() == 2);
        let f = Formula::parse("y ~ x | fe | d ~ z1 + z2").unwrap();
        assert_eq!((f.fixed_effects.len(), f.endogenous.len(), f.instruments.len()), (1, 1, 2));
        let f = Formula::parse("y ~ x + i(rel_period, ref = -1) | unit + year").unwrap();
        assert_eq!(f.factors, [Factor { var: "rel_period".into(), refs: vec!["-1".into()], slope: None }]);
        let f = Formula::parse("y ~ i(year, educ, ref = 1980) + i(g, x)").unwrap();
        assert_eq!(f.factors[0], Factor { var: "year".into(), refs: vec!["1980".into()], slope: Some("educ".into()) });
        assert_eq!((f.factors[1].slope.as_deref(), f.factors[1].refs.len()), (Some("x"), 0));
        assert!(Formula::parse("y ~ i(g, x, z)").is_err());
        let f = Formula::parse("y ~ i(region, ref = \"Île-de-France\") + i(g)").unwrap();
        assert_eq!(f.factors[0].refs, ["Île-de-France"]);
        assert!(f.factors[1].refs.is_empty());
        assert!(Formula::parse("y ~ i(g, base = 1)").is_err());
        let f = Formula::parse("lwage ~ exper | educ ~ motheduc + fatheduc").unwrap();
        assert!(f.fixed_effects.is_empty() && f.intercept);
        assert_eq!((f.endogenous[0].as_str(), f.instruments.len()), ("educ", 2));
    }

    #[test]
    fn errors_point_at_the_character() {
        let e = Formula::parse("y ~ x1 * x2").unwrap_err();
        assert!(e.to_string().contains("found `*` at character 8"), "{e}");
        assert!(e.hint().unwrap().ends_with("       ^ here"), "{:?}", e.hint());
        let e = Formula::parse("y x").unwrap_err();
        assert!(e.to_string().contains("expected `~`"), "{e}");
        let e = Formula::parse("y ~ x | d1 + d2 ~ z").unwrap_err();
        assert!(e.to_string().contains("not identified"), "{e}");
        let e = Formula::parse("y ~ x | d ~ z | fe").unwrap_err();
        assert!(e.to_string().contains("nothing may follow"), "{e}");
        assert!(Formula::parse("y ~ 0").is_err());
    }
}
