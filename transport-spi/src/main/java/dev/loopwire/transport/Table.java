// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import java.util.List;

/** Renders rows of strings as an aligned text table; the last column is not padded. */
final class Table {

    private Table() {
    }

    static void render(List<String[]> rows, StringBuilder out) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            out.append("  ");
            for (int i = 0; i < columns; i++) {
                out.append(row[i]);
                if (i < columns - 1) {
                    out.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append('\n');
        }
    }
}
