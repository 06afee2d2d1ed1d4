// Starts a deck of tools/slides.py: reveal.js with the speaker-notes plugin (press S).
// Slides are 1280x800 and scaled to the screen; a widget stand-in inside keeps working.
Reveal.initialize({
  width: 1280,
  height: 800,
  margin: 0.04,
  hash: true,
  transition: "none",
  plugins: [RevealNotes],
});
