//! Character index → byte offset: the YAML parser counts positions in characters, spans
//! count bytes. Within the ASCII text the parse starts with (usually all of it) the two
//! are equal; that prefix is measured as far as positions reach, not beyond (a piece of
//! a large text is converted without looking at the rest). Past it, positions arrive
//! almost in order, so a cursor moving from the last answer keeps the conversion linear
//! in the length parsed; over ASCII it moves in one step.

pub(super) struct Offsets<'a> {
    text: &'a str,
    /// The text is ASCII up to this byte, as far as it was looked at.
    ascii: usize,
    /// Whether the ASCII prefix may go on past `ascii`.
    ascii_open: bool,
    /// The last conversion past the ASCII prefix: character index and its byte offset.
    chars: usize,
    bytes: usize,
}

/// How far the ASCII prefix is measured at a time.
const ASCII_STEP: usize = 4096;

impl<'a> Offsets<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: 0,
            ascii_open: true,
            chars: 0,
            bytes: 0,
        }
    }

    /// The byte offset of character `index`, clamped to the end of the text.
    pub(super) fn byte(&mut self, index: usize) -> usize {
        if index <= self.ascii_prefix(index) {
            return index;
        }
        if self.bytes < self.ascii {
            (self.chars, self.bytes) = (self.ascii, self.ascii);
        }
        if self.ascii_step(index) {
            return self.bytes;
        }
        if index < self.chars {
            self.walk_back(index);
        } else {
            self.walk_forward(index);
        }
        self.bytes
    }

    /// The length of the ASCII prefix, measured on until it covers `index` or ends.
    fn ascii_prefix(&mut self, index: usize) -> usize {
        let bytes = self.text.as_bytes();
        while self.ascii_open && self.ascii < index {
            let end = (self.ascii + ASCII_STEP).min(bytes.len());
            let chunk = &bytes[self.ascii..end];
            if chunk.is_ascii() {
                (self.ascii, self.ascii_open) = (end, end < bytes.len());
            } else {
                let at = chunk.iter().position(|b| !b.is_ascii()).unwrap_or_default();
                (self.ascii, self.ascii_open) = (self.ascii + at, false);
            }
        }
        self.ascii
    }

    /// Moves to character `index` in one step when the text in between is ASCII.
    fn ascii_step(&mut self, index: usize) -> bool {
        let bytes = self.text.as_bytes();
        let between = if index >= self.chars {
            let end = self.bytes + (index - self.chars);
            bytes.get(self.bytes..end).map(|b| (b, end))
        } else {
            let start = self.bytes.checked_sub(self.chars - index);
            start.and_then(|start| Some((bytes.get(start..self.bytes)?, start)))
        };
        match between {
            Some((run, at)) if run.is_ascii() => {
                (self.chars, self.bytes) = (index, at);
                true
            }
            _ => false,
        }
    }

    fn walk_forward(&mut self, index: usize) {
        let rest = &self.text[self.bytes..];
        for (offset, _) in rest.char_indices() {
            if self.chars == index {
                self.bytes += offset;
                return;
            }
            self.chars += 1;
        }
        self.bytes = self.text.len();
    }

    fn walk_back(&mut self, index: usize) {
        let before = &self.text[..self.bytes];
        for (offset, _) in before.char_indices().rev() {
            self.chars -= 1;
            if self.chars == index {
                self.bytes = offset;
                return;
            }
        }
        self.chars = 0;
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_in_both_directions_over_multibyte_text() {
        let text = "aé€😀b";
        let mut offsets = Offsets::new(text);
        let expected = [0, 1, 3, 6, 10, 11];
        for (index, bytes) in expected.iter().enumerate() {
            assert_eq!(offsets.byte(index), *bytes, "forward {index}");
        }
        for (index, bytes) in expected.iter().enumerate().rev() {
            assert_eq!(offsets.byte(index), *bytes, "backward {index}");
        }
        assert_eq!(offsets.byte(99), text.len());
    }

    #[test]
    fn converts_in_any_order_over_mixed_text() {
        let text = "key: é\nnext: 😀 end";
        let mut offsets = Offsets::new(text);
        let starts = text.char_indices().map(|(b, _)| b);
        let expected: Vec<usize> = starts.chain([text.len()]).collect();
        for index in [3, 0, 6, 5, 12, 7, 14, 1, 13, 2, 17, 16] {
            assert_eq!(offsets.byte(index), expected[index], "character {index}");
        }
    }

    #[test]
    fn converts_past_a_long_ascii_prefix() {
        let text = "a".repeat(2 * ASCII_STEP + 3) + "é€b";
        let mut offsets = Offsets::new(&text);
        let starts = text.char_indices().map(|(b, _)| b);
        let expected: Vec<usize> = starts.chain([text.len()]).collect();
        let last = expected.len() - 1;
        for index in [
            5,
            last,
            2 * ASCII_STEP + 4,
            0,
            2 * ASCII_STEP + 3,
            last - 1,
            77,
        ] {
            assert_eq!(offsets.byte(index), expected[index], "character {index}");
        }
        assert_eq!(offsets.byte(last + 5), text.len());
    }
}
