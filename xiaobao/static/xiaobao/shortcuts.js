// Keyboard shortcuts and their help overlay (press ?).
