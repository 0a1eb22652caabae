-- Numbers headings, figures, tables, equations and listings, and turns `@sec-id`, `@fig-id`,
-- `@tbl-id`, `@eq-id`, `@lst-id` (Quarto) or `@fig:id` (pandoc-crossref) into links ("figure 2";
-- `[@fig:a; @fig:b]` as "figures 1 and 2"). Runs before
-- --citeproc, so a cross-reference never reaches the citation engine; one that does not
-- resolve stays a citation and pressroom reports it as unknown, with its line.

local function numbered(meta)
  local v = meta['number-sections']
  return not (v == false or (type(v) == 'table' and pandoc.utils.stringify(v) == 'false'))
end

-- An author's own number at the start of a heading: "1. Introduction", "2.3 Methods",
-- "IV. Results", "Chapter 2: ...", "Part One". Returns the number, or nil.
local function own_number(h)
  local text = pandoc.utils.stringify(h.content)
  local patterns = {
    '^(%d+%.%d[%d%.]*)%.?%s', '^(%d+)[%.%):]%s', '^(%d+)%s+%u', '^([IVXLC]+)[%.:]%s',
    '^[Cc]hapter%s+([%w]+)', '^CHAPTER%s+([%w]+)', '^[Pp]art%s+([%w]+)', '^[Aa]ppendix%s+(%u)%f[%W]',
  }
  for _, p in ipairs(patterns) do
    local n = text:match(p)
    if n then return n end
  end
  return nil
end

-- The heading over the bibliography at the end ("# References", as JOSS papers and most
-- pandoc manuscripts close): a back-matter heading, unnumbered, as Chicago sets it. It is the
-- last block but the bibliography's div, or the last block of all (citeproc adds the list).
local BACK_MATTER = {
  references = true, bibliography = true, ['works cited'] = true, ['literature cited'] = true,
  ['reference list'] = true, ['cited works'] = true, sources = true,
}

local function unnumber_bibliography(blocks)
  local last = #blocks
  if last > 0 and blocks[last].t == 'Div' and blocks[last].identifier == 'refs' then
    last = last - 1
  end
  local h = blocks[last]
  if h and h.t == 'Header' and BACK_MATTER[pandoc.utils.stringify(h.content):lower()]
      and not h.classes:includes('unnumbered') then
    h.classes:insert('unnumbered')
  end
  return blocks
end

-- A heading for the notes that closes the document with nothing under it ("# Endnotes", as
-- Programming Historian lessons end, the notes' definitions below it): the notes print at the
-- foot of their pages, and the web page's list of notes has its own heading. It goes.
local NOTES_HEADINGS = {notes = true, endnotes = true, footnotes = true}

local function drop_empty_notes_heading(blocks)
  local last = blocks[#blocks]
  if last and last.t == 'Header' and NOTES_HEADINGS[pandoc.utils.stringify(last.content):lower()] then
    blocks:remove(#blocks)
  end
  return blocks
end

-- The heading levels a document uses: its top level, and whether its author numbered its
-- top-level headings (most of them start with a number: then pressroom adds none).
local function heading_plan(blocks)
  local top = 7
  local numbered_levels = {}  -- of each heading not marked unnumbered: its level, own number
  blocks:walk({
    Header = function(h)
      if not h.classes:includes('unnumbered') then
        if h.level < top then top = h.level end
        numbered_levels[#numbered_levels + 1] = {h.level, own_number(h) ~= nil}
      end
    end,
  })
  local total, own = 0, 0
  for _, heading in ipairs(numbered_levels) do
    if heading[1] == top then
      total = total + 1
      if heading[2] then own = own + 1 end
    end
  end
  if top == 7 then top = 1 end
  return top, total > 0 and own * 2 > total
end

-- The caption's text without its notes and citations: an image's alternative text. (pandoc
-- copies the caption, citations included, into the image: citeproc would then cite twice
-- and the print page count one note twice.)
local function plain_caption(inlines)
  return pandoc.Inlines(inlines):walk({
    Cite = function() return {} end,
    Note = function() return {} end,
  })
end

local function prefix_caption(long, label, class)
  if #long > 0 and (long[1].t == 'Plain' or long[1].t == 'Para') then
    long[1].content:insert(1, pandoc.Space())
    long[1].content:insert(1, pandoc.Span({pandoc.Str(label)}, {class = class}))
  end
  return long
end

-- `$$ ... $$ {#eq-x}` as Quarto and pandoc-crossref write it: the id follows the math.
local function equation_id(inlines, i)
  local nxt, after = inlines[i + 1], inlines[i + 2]
  if nxt and nxt.t == 'Space' then nxt = after end
  if nxt and nxt.t == 'Str' then
    local id = nxt.text:match('^{#(eq[%-:][^}%s]+)}$')
    if id then return id, (inlines[i + 1].t == 'Space') and 2 or 1 end
  end
  return nil, 0
end

-- A figure of figures, as pandoc-crossref (`<div id="fig:x">`) and Quarto (`::: {#fig-x}`)
-- write one: a div whose id names a figure, holding figures and ending in its caption.
local function is_figure_group(div)
  return div.t == 'Div' and div.identifier:match('^fig[:%-]') ~= nil
end

-- The figures inside a group are its parts (a), (b)...: numbered with it, not on their own.
local function mark_subfigures(blocks)
  return blocks:walk({
    Div = function(div)
      if not is_figure_group(div) then return nil end
      div.content = div.content:walk({
        Figure = function(f)
          f.attributes['subfigure'] = 'yes'
          return f
        end,
      })
      return div
    end,
  })
end

-- LaTeX labels (rawtex.lua's span for `\label{x}`, as JOSS papers put one in a caption or a
-- heading): the first one's name, and the inlines or blocks without any.
local function take_label(content)
  local found = nil
  local out = content:walk({
    Inlines = function(inlines)
      local kept, removed = pandoc.Inlines({}), false
      for _, el in ipairs(inlines) do
        if el.t == 'Span' and el.classes:includes('tex-label') then
          found = found or el.attributes['label']
          removed = true
        else
          kept:insert(el)
        end
      end
      if not removed then return nil end
      while #kept > 0 and (kept[#kept].t == 'Space' or kept[#kept].t == 'SoftBreak') do
        kept:remove(#kept)
      end
      return kept
    end,
  })
  return found, out
end

-- pandoc-crossref's older way of naming a table, an empty span in its caption
-- (`: Caption []{#tbl:x}`): (the id or '', the caption without the span).
local function span_id(blocks)
  local id = ''
  blocks = blocks:walk({
    Span = function(s)
      if id == '' and #s.content == 0 and s.identifier:match('^tbl[:%-]') then
        id = s.identifier
        return {}
      end
    end,
  })
  local last = blocks[#blocks]
  if id ~= '' and last and (last.t == 'Plain' or last.t == 'Para') then
    while last.content[#last.content] and last.content[#last.content].t == 'Space' do
      last.content:remove(#last.content)
    end
  end
  return id, blocks
end

-- A figure, table or heading named by a `\label{}` gets that name as its id (a heading keeps
-- its own and is also known by the label); labels anywhere else carry no text and go.
local function adopt_labels(blocks)
  local label
  blocks = blocks:walk({
    Figure = function(f)
      label, f.caption.long = take_label(f.caption.long)
      if label and f.identifier == '' then f.identifier = label end
      f.content = select(2, take_label(f.content))
      return f
    end,
    Table = function(t)
      label, t.caption.long = take_label(t.caption.long)
      if label and t.identifier == '' then t.identifier = label end
      if t.identifier == '' then t.identifier, t.caption.long = span_id(t.caption.long) end
      return t
    end,
    Header = function(h)
      label, h.content = take_label(h.content)
      if label and h.identifier == '' then h.identifier = label
      elseif label then h.attributes['tex-label'] = label end
      return h
    end,
  })
  return select(2, take_label(blocks))
end

-- Display math as LaTeX writes a numbered equation: `\begin{equation} ... \label{eq:x}
-- \end{equation}`: the body without the environment (the number is pressroom's), and the label.
local function tex_equation(text)
  local body = text:gsub('^%s*\\begin{equation%*?}', ''):gsub('\\end{equation%*?}%s*$', '')
  local label = body:match('\\label%s*{([^{}]+)}')
  body = body:gsub('\\label%s*{[^{}]*}', '')
  return body, label
end

-- Listings as pandoc-crossref and Quarto write them: a code block whose id starts `lst:` or
-- `lst-`, captioned by its `caption` (pandoc-crossref) or `lst-cap` (Quarto) attribute, by a
-- `Listing: ...` or `: ...` paragraph right before or after it (pandoc-crossref's
-- codeBlockCaptions; the id may end that paragraph, `: Caption {#lst:x}`, for a code block
-- without one), or wrapped in a div#lst:x.listing whose first paragraph is the caption.
local function is_listing(id)
  return id ~= nil and id:match('^lst[:%-]') ~= nil
end

-- (the caption's inlines, the id that ends it if any)
local function listing_caption(block)
  if block == nil or (block.t ~= 'Para' and block.t ~= 'Plain') then return nil end
  local first = block.content[1]
  if first == nil or first.t ~= 'Str' or (first.text ~= 'Listing:' and first.text ~= ':') then
    return nil
  end
  local rest = block.content:clone()
  rest:remove(1)
  if rest[1] and rest[1].t == 'Space' then rest:remove(1) end
  local last = rest[#rest]
  local id = last and last.t == 'Str' and last.text:match('^{#(lst[:%-][^{}%s]*)}$') or nil
  if id then
    rest:remove(#rest)
    while rest[#rest] and (rest[#rest].t == 'Space' or rest[#rest].t == 'SoftBreak') do
      rest:remove(#rest)
    end
  end
  return rest, id
end

-- Whether `code` is the listing a caption paragraph ending with `id` (or none) captions; a
-- code block without an id takes that one.
local function claims(code, id)
  if code == nil or code.t ~= 'CodeBlock' then return false end
  if id and code.identifier ~= '' and code.identifier ~= id then return false end
  if code.identifier == '' and id then code.identifier = id end
  return is_listing(code.identifier)
end

-- Each listing's caption by its id, taken out of the paragraph or div that held it; the code
-- blocks are numbered later, in document order.
local function gather_listings(blocks, captions)
  return blocks:walk({
    Blocks = function(list)
      local out = pandoc.Blocks({})
      local i = 1
      while i <= #list do
        local b = list[i]
        local caption, caption_id = listing_caption(b)
        if b.t == 'Div' and is_listing(b.identifier) and #b.content == 2
            and b.content[2].t == 'CodeBlock' and b.content[2].identifier == ''
            and (b.content[1].t == 'Para' or b.content[1].t == 'Plain') then
          local code = b.content[2]
          code.identifier = b.identifier
          captions[code.identifier] = listing_caption(b.content[1]) or b.content[1].content
          out:insert(code)
        elseif caption and claims(list[i + 1], caption_id) then
          captions[list[i + 1].identifier] = caption
        elseif caption and out[#out] and not captions[out[#out].identifier]
            and claims(out[#out], caption_id) then
          captions[out[#out].identifier] = caption
        else
          out:insert(b)
        end
        i = i + 1
      end
      return out
    end,
  })
end

local function attribute_caption(code)
  local text = code.attributes['caption'] or code.attributes['lst-cap']
  if text == nil or text == '' then return nil end
  local blocks = pandoc.read(text, 'markdown').blocks
  if #blocks == 0 then return nil end
  return pandoc.utils.blocks_to_inlines(blocks)
end

-- What the document holds that the walks below act on. A walk with a function for lists
-- (Inlines, Blocks) hands every list of the document to Lua and takes it back; one with
-- functions for a few kinds of element only hands over those elements. So one such walk
-- finds out which of the costly walks can change anything, and the others are not made
-- (the default paper's citeproc run: crossref.lua 0.33 -> 0.1 s of CPU).
local function survey(blocks)
  local has = {
    code = false, labels = false, display_math = false, tex_refs = false, keys = {},
    -- lists of inlines in no paragraph, plain block or heading (see holds_reference)
    loose_inlines = false,
  }
  local function loose() has.loose_inlines = true end
  local function short_caption(el)
    local short = el.caption.short
    if short and #short > 0 then has.loose_inlines = true end
  end
  blocks:walk({
    CodeBlock = function() has.code = true end,
    DefinitionList = loose,
    LineBlock = loose,
    Figure = short_caption,
    Table = short_caption,
    Math = function(m)
      if m.mathtype == 'DisplayMath' then has.display_math = true end
    end,
    Span = function(s)
      if s.classes:includes('tex-label')
          or (#s.content == 0 and s.identifier:match('^tbl[:%-]')) then
        has.labels = true
      end
      if s.classes:includes('tex-ref') then has.tex_refs = true end
    end,
    Cite = function(c)
      for _, cit in ipairs(c.citations) do has.keys[#has.keys + 1] = cit.id end
    end,
  })
  return has
end

function Pandoc(doc)
  local captions = {}
  local has = survey(doc.blocks)
  local blocks = doc.blocks
  -- Every listing is a code block; every label a span (rawtex.lua's, or pandoc-crossref's
  -- empty span in a table's caption).
  if has.code then blocks = gather_listings(blocks, captions) end
  if has.labels then blocks = adopt_labels(blocks) end
  doc.blocks = unnumber_bibliography(drop_empty_notes_heading(mark_subfigures(blocks)))
  local counters = {0, 0, 0, 0, 0, 0}
  local numbers = {}
  local on = numbered(doc.meta)
  local top, own = heading_plan(doc.blocks)
  local tables, figures, equations, listings = 0, 0, 0, 0
  -- A heading is known by its id (and its LaTeX label) as its number, or, when it has none
  -- (unnumbered, number-sections: false, or no number of the author's own), as its title in
  -- quotation marks: 'section "Sources"'; a `label` attribute names it instead.
  local function register(h, num)
    local name = h.attributes['label']  -- pandoc-crossref's own label: `{#sec:x label=A}`
      or num or ('\u{201C}' .. pandoc.utils.stringify(plain_caption(h.content)) .. '\u{201D}')
    if h.identifier ~= '' then numbers[h.identifier] = {'section', name} end
    if h.attributes['tex-label'] then
      numbers[h.attributes['tex-label']] = {'section', name, h.identifier}
      h.attributes['tex-label'] = nil
    end
    return h
  end
  local numbering = {
    Header = function(h)
      if not on or h.classes:includes('unnumbered') then return register(h, nil) end
      if own then
        local n = own_number(h)
        if n then h.attributes['number'] = n end
        return register(h, n)
      end
      counters[h.level] = counters[h.level] + 1
      for l = h.level + 1, 6 do counters[l] = 0 end
      -- A paper whose top headings are `##` is numbered 1, 2 (not 0.1): numbers start at
      -- the top level used. (The levels themselves stay: page styles may rely on them.)
      local parts = {}
      for l = top, h.level do parts[#parts + 1] = tostring(counters[l]) end
      local num = table.concat(parts, '.')
      h.attributes['number'] = num
      h.content:insert(1, pandoc.Space())
      h.content:insert(1, pandoc.Span({pandoc.Str(num)}, {class = 'header-section-number'}))
      return register(h, num)
    end,
    Table = function(t)
      tables = tables + 1
      if t.identifier ~= '' then numbers[t.identifier] = {'table', tostring(tables)} end
      t.caption.long = prefix_caption(t.caption.long, 'Table ' .. tostring(tables) .. '.',
        'table-number')
      return t
    end,
    Figure = function(f)
      f.content = f.content:walk({
        Image = function(img)
          img.caption = plain_caption(img.caption)
          return img
        end,
      })
      if f.attributes['subfigure'] then return f end  -- its group numbers it
      if #f.caption.long == 0 and f.identifier == '' then return f end
      figures = figures + 1
      if f.identifier ~= '' then numbers[f.identifier] = {'figure', tostring(figures)} end
      f.caption.long = prefix_caption(f.caption.long, 'Figure ' .. tostring(figures) .. '.',
        'figure-number')
      return f
    end,
    Div = function(div)
      if not is_figure_group(div) then return nil end
      figures = figures + 1
      local n = tostring(figures)
      numbers[div.identifier] = {'figure', n}
      local part = 0
      div.content = div.content:walk({
        Figure = function(f)
          if not f.attributes['subfigure'] then return nil end
          f.attributes['subfigure'] = nil
          part = part + 1
          local letter = string.char(96 + part)
          if f.identifier ~= '' then numbers[f.identifier] = {'figure', n .. letter} end
          f.caption.long = prefix_caption(f.caption.long, '(' .. letter .. ')', 'subfigure-label')
          return f
        end,
      })
      -- The group's caption: its last paragraph, when that is text rather than images.
      local last = div.content[#div.content]
      local images = last and pandoc.Blocks({last}):walk({Image = function() return {} end})
      if last and (last.t == 'Para' or last.t == 'Plain')
          and pandoc.utils.stringify(images) == pandoc.utils.stringify(last) then
        local caption = prefix_caption(pandoc.Blocks({last}), 'Figure ' .. n .. '.', 'figure-number')
        div.content[#div.content] = pandoc.Div(caption, {class = 'figure-caption'})
      end
      div.classes:insert('figure-group')
      return div
    end,
    CodeBlock = function(code)
      if not is_listing(code.identifier) then return nil end
      listings = listings + 1
      local id, n = code.identifier, tostring(listings)
      numbers[id] = {'listing', n}
      local caption = pandoc.Inlines({pandoc.Span({pandoc.Str('Listing ' .. n .. '.')},
        {class = 'listing-number'})})
      local text = captions[id] or attribute_caption(code)
      if text and #text > 0 then
        caption:insert(pandoc.Space())
        caption:extend(text)
      end
      code.identifier = ''
      code.attributes['caption'] = nil
      code.attributes['lst-cap'] = nil
      -- Word: the caption in the style tables' captions have.
      local head = pandoc.Div({pandoc.Para(caption)},
        {class = 'listing-caption', ['custom-style'] = 'Table Caption'})
      return pandoc.Div({head, code}, {id = id, class = 'listing'})
    end,
  }
  -- Equations are display math: a document without any has no list to build again.
  if has.display_math then
    numbering.Inlines = function(inlines)
      local out = pandoc.Inlines({})
      local i = 1
      while i <= #inlines do
        local el = inlines[i]
        local id, skip = nil, 0
        if el.t == 'Math' and el.mathtype == 'DisplayMath' then
          local label
          el.text, label = tex_equation(el.text)
          id, skip = equation_id(inlines, i)
          if id == nil and label then id = label end
        end
        if id then
          equations = equations + 1
          local n = tostring(equations)
          numbers[id] = {'equation', n}
          -- The space keeps the number off the formula in Word, where it follows it.
          out:insert(pandoc.Span({el, pandoc.Space(), pandoc.Span({pandoc.Str('(' .. n .. ')')},
            {class = 'equation-number'})}, {id = id, class = 'equation'}))
          i = i + skip + 1
        else
          out:insert(el)
          i = i + 1
        end
      end
      return out
    end
  end
  doc.blocks = doc.blocks:walk(numbering)
  -- A reference that opens a sentence is capitalised ("Figure 2 shows"), as Quarto prints it;
  -- inside a sentence it is lower case ("in figure 2"), as Chicago sets it; `@Fig-x` forces
  -- the capital.
  local PLURAL = {
    figure = 'figures', table = 'tables', equation = 'equations', section = 'sections',
    listing = 'listings',
  }
  local function target_of(key)
    local found = numbers[key] or numbers[key:sub(1, 1):lower() .. key:sub(2)]
    -- pandoc-crossref's autoSectionLabels: `@sec:methods` for a heading whose id is `methods`.
    local plain = found == nil and key:match('^[Ss]ec[:%-](.+)$')
    local heading = plain and numbers[plain]
    if heading and heading[1] == 'section' then found = {'section', heading[2], heading[3] or plain} end
    return found
  end
  local function link(text, key)
    local target = target_of(key)
    local id = (target and target[3]) or (numbers[key] and key)
      or key:sub(1, 1):lower() .. key:sub(2)
    return pandoc.Link(text, '#' .. id, '', {class = 'cross-ref'})
  end
  -- Several references in one citation, `[@fig:a; @fig:b; @tbl:c]`, as pandoc-crossref users
  -- write them: "figures 1 and 2, table 3", each number linked.
  local function grouped(found, capital, modifier)
    local groups = {}
    for _, f in ipairs(found) do
      local g = groups[#groups]
      if g and g.kind == f.target[1] then
        table.insert(g.items, f)
      else
        table.insert(groups, {kind = f.target[1], items = {f}})
      end
    end
    local out = pandoc.List()
    for gi, g in ipairs(groups) do
      if gi > 1 then out:extend({pandoc.Str(','), pandoc.Space()}) end
      if modifier ~= '!' then
        local word = #g.items > 1 and PLURAL[g.kind] or g.kind
        if gi == 1 and capital then word = word:sub(1, 1):upper() .. word:sub(2) end
        out:extend({pandoc.Str(word), pandoc.Space()})
      end
      for k, f in ipairs(g.items) do
        if k > 1 and k == #g.items then
          out:extend({pandoc.Space(), pandoc.Str('and'), pandoc.Space()})
        elseif k > 1 then
          out:extend({pandoc.Str(','), pandoc.Space()})
        end
        out:insert(link({pandoc.Str(f.target[2])}, f.cit.id))
      end
    end
    return out
  end
  -- The citation's cross-references as text; the citations among them that are no
  -- cross-reference stay a citation after them, for citeproc.
  local function resolve(c, opens, modifier)
    local found, rest = {}, pandoc.List()
    for _, cit in ipairs(c.citations) do
      local target = target_of(cit.id)
      if target then table.insert(found, {cit = cit, target = target}) else rest:insert(cit) end
    end
    if #found == 0 then return nil end
    local first, last = found[1].cit, found[#found].cit
    local capital = modifier == '+' or first.id:sub(1, 1):match('%u') ~= nil
      or (opens and #first.prefix == 0 and modifier ~= '*')
    local out = pandoc.List()
    out:extend(first.prefix)
    if #first.prefix > 0 then out:insert(pandoc.Space()) end
    if #found == 1 then
      local word = found[1].target[1]
      if capital then word = word:sub(1, 1):upper() .. word:sub(2) end
      local text = {pandoc.Str(word), pandoc.Space(), pandoc.Str(found[1].target[2])}
      if modifier == '!' then text = {pandoc.Str(found[1].target[2])} end
      out:insert(link(text, first.id))
    else
      out:extend(grouped(found, capital, modifier))
    end
    out:extend(last.suffix)
    if #rest > 0 then
      out:insert(pandoc.Space())
      out:insert(pandoc.Cite({}, rest))
    end
    return out
  end
  local function opens_sentence(out)
    for k = #out, 1, -1 do
      local el = out[k]
      if el.t == 'Str' then
        return el.text:match('[.!?]$') ~= nil or el.text:match('[.!?][\u{201D}\u{2019}")]+$') ~= nil
      end
      if el.t ~= 'Space' and el.t ~= 'SoftBreak' and el.t ~= 'LineBreak' then return false end
    end
    return true
  end
  -- The kind's own word just before a reference ("Figure @fig:x", "Eq. @eq:x").
  local KIND_WORDS = {
    figure = true, fig = true, figures = true, figs = true, table = true, tab = true,
    tables = true, equation = true, eq = true, eqn = true, equations = true, eqs = true,
    section = true, sec = true, sections = true, chapter = true, listing = true, lst = true,
    listings = true,
  }
  local function names_kind(out)
    local n = #out
    if n < 2 or out[n].t ~= 'Space' or out[n - 1].t ~= 'Str' then return false end
    local word = out[n - 1].text:lower():gsub('%.$', '')
    return KIND_WORDS[word] == true
  end
  -- `\autoref{fig:x}` prints "Figure 1" as LaTeX does, `\cref` "figure 1", `\Cref` "Figure 1",
  -- `\ref` "1" and `\eqref` "(1)"; LaTeX's tie before it (`Table~\ref{x}`) is a no-break space.
  -- A label that names nothing is printed as written and reported (cite.py).
  local TEX_MODIFIER = {ref = '!', eqref = '!', autoref = '+', Cref = '+', cref = '*'}
  local function tex_reference(span, out)
    local command = span.attributes['command']
    local cits, missing = {}, nil
    for key in span.attributes['keys']:gmatch('[^,%s]+') do
      if target_of(key) == nil then missing = missing or key end
      table.insert(cits, {id = key, prefix = pandoc.Inlines({}), suffix = pandoc.Inlines({})})
    end
    if missing or #cits == 0 then
      out:insert(pandoc.Span(span.content, {class = 'raw-tex', missing = missing or ''}))
      return out
    end
    local last = out[#out]
    if last and last.t == 'Str' and last.text:match('~$') then
      out[#out] = pandoc.Str(last.text:sub(1, -2) .. '\u{00A0}')
    end
    local resolved = resolve({citations = cits}, opens_sentence(out), TEX_MODIFIER[command])
    if command == 'eqref' then out:insert(pandoc.Str('(')) end
    out:extend(resolved)
    if command == 'eqref' then out:insert(pandoc.Str(')')) end
    return out
  end
  -- Whether a list of inlines holds a cross-reference. A list without one would be built
  -- again element by element into the same list: it is left as it is (the citeproc run of
  -- the default paper 0.8 -> 0.65 s of CPU: every edit in watch waits for it).
  local function refers(inlines)
    for _, el in ipairs(inlines) do
      if el.t == 'Span' and el.classes:includes('tex-ref') then return true end
      if el.t == 'Cite' then
        for _, cit in ipairs(el.citations) do
          if target_of(cit.id) then return true end
        end
      end
    end
    return false
  end
  -- Whether a block holds a cross-reference anywhere: a walk that hands Lua its citations
  -- and spans only, much cheaper than one that hands over each of its lists of inlines. A
  -- block whose text (pandoc's stringify, in Haskell: cheaper still) has no key that resolves
  -- after an '@' holds no cross-reference, and one without a backslash no LaTeX reference
  -- (the citation's or span's text is the source's). stringify leaves notes out: a note's paragraphs are blocks of their
  -- own, but a note's inlines in no paragraph (a definition list's term, a line block, a
  -- short caption) are reached only through the block that holds the note; a document with
  -- any of those has every block walked.
  local resolving = {}  -- the cited keys that name a number (set below)
  -- Whether a key that resolves follows an '@' of `text`. A citation's text is its source,
  -- and pandoc's reader takes its key from right after the '@' (`@key`, `[@key, 4]`,
  -- `@{key}`): its key is there, followed by what is not (a space, punctuation).
  local function names_target(text)
    local at = text:find('@', 1, true)
    while at do
      local word = text:match('^{?([^%s]*)', at + 1)
      for n = #word, 1, -1 do
        if resolving[word:sub(1, n)] then return true end
      end
      at = text:find('@', at + 1, true)
    end
    return false
  end
  local function holds_reference(block)
    if not has.loose_inlines then
      local text = pandoc.utils.stringify(block)
      if not (names_target(text) or (has.tex_refs and text:find('\\', 1, true))) then
        return false
      end
    end
    local found = false
    block:walk({
      Cite = function(c)
        for _, cit in ipairs(c.citations) do
          if target_of(cit.id) then found = true end
        end
      end,
      Span = function(s)
        if s.classes:includes('tex-ref') then found = true end
      end,
    })
    return found
  end
  local function references(block)
    if not holds_reference(block) then return nil end
    return block:walk({
      Inlines = function(inlines)
        if not refers(inlines) then return nil end
        local out = pandoc.Inlines({})
        for _, el in ipairs(inlines) do
          -- pandoc-xnos's modifiers right before the reference: `+@fig:x` capitalises,
          -- `*@fig:x` keeps lower case, `!@fig:x` prints the number alone.
          local last = out[#out]
          local modifier = last and last.t == 'Str' and last.text:match('[+*!]$') or nil
          local resolved = nil
          if el.t == 'Cite' and modifier == nil and names_kind(out) then
            modifier = '!'  -- "Figure @fig:x" as pandoc-fignos users write it: "Figure 2"
            last = nil
          end
          if el.t == 'Cite' then
            local before = out
            if modifier and last then
              before = out:clone()
              before[#before] = pandoc.Str(last.text:sub(1, -2))
              if before[#before].text == '' then before:remove(#before) end
            end
            resolved = resolve(el, opens_sentence(before), modifier)
            if resolved then out = before end
          end
          if el.t == 'Span' and el.classes:includes('tex-ref') then
            out = tex_reference(el, out)
          elseif resolved then
            out:extend(resolved)
          else
            out:insert(el)
          end
        end
        return out
      end,
    })
  end
  -- Only a document with a reference to resolve is walked again.
  local resolvable = has.tex_refs
  for _, key in ipairs(has.keys) do
    if target_of(key) ~= nil then
      resolving[key] = true
      resolvable = true
    end
  end
  if resolvable then
    doc.blocks = doc.blocks:walk({
      Para = references,
      Plain = references,
      Header = references,
    })
  end
  return doc
end
