-- For the print HTML: a URL may break across lines only where Chicago allows (CMOS 14.18:
-- after a double slash; before a single slash, a period, a hyphen, an underscore, a tilde, a
-- question mark, a number sign or a percent sign; before an ampersand or an equals sign),
-- never with an inserted hyphen (its span is `url`: print CSS turns hyphenation off).

local ZWSP = '\u{200B}'
local BEFORE = {['/'] = true, ['.'] = true, ['-'] = true, ['_'] = true, ['~'] = true,
  ['?'] = true, ['#'] = true, ['%'] = true, ['&'] = true, ['='] = true}

local function looks_like_url(s)
  return s:match('^%a[%w+.-]*://') or s:match('^www%.') or s:match('^doi%.org/')
end

-- The URL in pieces that never break inside (white-space: nowrap): the line may break only
-- between them, where a zero-width space stands. (Left to itself the line breaker would also
-- break after a hyphen or a slash, which reads as a hyphenated word.)
local function pieces(s)
  local out = pandoc.List()
  local current = ''
  local function flush()
    if current ~= '' then
      if #out > 0 then out:insert(pandoc.Str(ZWSP)) end
      out:insert(pandoc.Span({pandoc.Str(current)}, {class = 'nb'}))
    end
    current = ''
  end
  local i, n = 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if s:sub(i, i + 1) == '//' then
      current = current .. '//'
      flush()
      i = i + 2
    else
      if BEFORE[c] and current ~= '' then flush() end
      current = current .. c
      i = i + 1
    end
  end
  flush()
  return out
end

function Str(el)
  if not looks_like_url(el.text) then return nil end
  -- A URL that ends a sentence keeps its period outside the breakable part.
  local url, tail = el.text:match('^(.-)([.,;:)]*)$')
  local out = pandoc.List({pandoc.Span(pieces(url), {class = 'url'})})
  if tail ~= '' then out:insert(pandoc.Str(tail)) end
  return out
end
