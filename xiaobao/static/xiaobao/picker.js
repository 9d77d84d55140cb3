// Searchable pickers for units, codes and people (progressive enhancement of <select data-picker>).
