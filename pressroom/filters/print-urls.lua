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

local function breakable(s)
  local out = {}
  local i, n = 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if s:sub(i, i + 1) == '//' then
      out[#out + 1] = '//' .. ZWSP
      i = i + 2
    else
      if BEFORE[c] and i > 1 and out[#out] ~= nil and out[#out]:sub(-#ZWSP) ~= ZWSP then
        out[#out + 1] = ZWSP
      end
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

function Str(el)
  if not looks_like_url(el.text) then return nil end
  -- A URL that ends a sentence keeps its period outside the breakable part.
  local url, tail = el.text:match('^(.-)([.,;:)]*)$')
  local out = pandoc.List({pandoc.Span({pandoc.Str(breakable(url))}, {class = 'url'})})
  if tail ~= '' then out:insert(pandoc.Str(tail)) end
  return out
end
