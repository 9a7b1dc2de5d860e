//! Character index → byte offset: the YAML parser counts positions in characters, spans
//! count bytes. Positions arrive almost in order, so a cursor that walks from the last
//! answer keeps the conversion linear in the text size.

pub(super) struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    /// The last conversion: character index and its byte offset.
    chars: usize,
    bytes: usize,
}

impl<'a> Offsets<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    /// The byte offset of character `index`, clamped to the end of the text.
    pub(super) fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        if index < self.chars {
            self.walk_back(index);
        } else {
            self.walk_forward(index);
        }
        self.bytes
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
}
