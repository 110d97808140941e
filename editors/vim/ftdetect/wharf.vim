au BufRead,BufNewFile *.wharf setfiletype wharf
