"""System prompts, report templates and the glossary, as versioned files."""
