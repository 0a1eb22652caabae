-- For the print HTML: each note becomes an inline span that WeasyPrint floats to the foot of
-- the page where it is called (CSS `float: footnote`), with an explicit call and marker that
-- link to each other. Paragraphs of a note become block spans, because a <p> inside the
-- paragraph that calls the note would end that paragraph.

local count = 0

function Note(note)
  count = count + 1
  local n = tostring(count)
  local body = pandoc.List()
  for i, block in ipairs(note.content) do
    local inlines
    if block.t == 'Para' or block.t == 'Plain' then
      inlines = pandoc.List(block.content)
    else
      inlines = pandoc.List(pandoc.utils.blocks_to_inlines({block}))
    end
    if i == 1 then
      -- A number of three or four digits gets a wider box (elements.css), so that it never
      -- runs into the note's text ("116Prynne").
      local cls = #n >= 3 and ('fn-marker fn-' .. tostring(#n)) or 'fn-marker'
      inlines:insert(1, pandoc.Link({pandoc.Str(n)}, '#fnref' .. n, '', {class = cls}))
    end
    local cls = i == 1 and 'fn-p' or 'fn-p fn-cont'
    body:insert(pandoc.Span(inlines, {class = cls}))
  end
  return {
    pandoc.Link({pandoc.Str(n)}, '#fn' .. n, '', {id = 'fnref' .. n, class = 'fn-call'}),
    pandoc.Span(body, {id = 'fn' .. n, class = 'footnote'}),
  }
end
