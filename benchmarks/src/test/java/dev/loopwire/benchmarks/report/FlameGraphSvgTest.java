// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.benchmarks.report.FlameGraphSvg.Profile;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class FlameGraphSvgTest {

    private static final double PLOT = FlameGraphSvg.WIDTH - 2 * FlameGraphSvg.SIDE;

    /** A drawn frame, read back from the SVG: its hover title, rectangle and label. */
    private record Frame(String title, double x, double y, double width, String fill, String label) {
        String name() {
            return title.substring(0, title.indexOf(" ("));
        }
    }

    @Test
    void widthsAreProportionalToTheCountsAndIdenticalPrefixesMerge() throws Exception {
        List<Frame> frames = frames(new FlameGraphSvg("t", Profile.CPU, List.of(
                "main_[j];work_[j];parse_[j] 30",
                "main_[j];work_[j];write 10",
                "main_[j];idle_[k] 40",
                "",
                "main_[j];work_[j];parse_[j] 20")).svg());
        // all, main, idle, work, parse, write: "main;work;parse" twice is one frame of 50.
        assertThat(frames, hasSize(6));
        assertThat(frame(frames, "all").width(), closeTo(PLOT, 0.01));
        assertThat(frame(frames, "main").width(), closeTo(PLOT, 0.01));
        assertThat(frame(frames, "work").width(), closeTo(PLOT * 60 / 100, 0.01));
        assertThat(frame(frames, "parse").width(), closeTo(PLOT * 50 / 100, 0.01));
        assertThat(frame(frames, "write").width(), closeTo(PLOT * 10 / 100, 0.01));
        assertThat(frame(frames, "idle").width(), closeTo(PLOT * 40 / 100, 0.01));
        // Callees side by side in alphabetical order, each starting where the one before ends.
        double left = FlameGraphSvg.SIDE;
        assertThat(frame(frames, "idle").x(), closeTo(left, 0.01));
        assertThat(frame(frames, "work").x(), closeTo(left + PLOT * 40 / 100, 0.01));
        assertThat(frame(frames, "parse").x(), closeTo(left + PLOT * 40 / 100, 0.01));
        assertThat(frame(frames, "write").x(), closeTo(left + PLOT * 90 / 100, 0.01));
        // Root at the bottom: each level one frame height above its caller.
        assertThat(frame(frames, "main").y(), is(frame(frames, "all").y() - FlameGraphSvg.FRAME_HEIGHT));
        assertThat(frame(frames, "parse").y(), is(frame(frames, "all").y() - 3 * FlameGraphSvg.FRAME_HEIGHT));
        assertThat(frame(frames, "parse").title(), is("parse (Java, JIT-compiled): 50 samples, 50.00%"));
    }

    @Test
    void colorsFollowTheFrameKind() throws Exception {
        List<Frame> frames = frames(new FlameGraphSvg("t", Profile.CPU, List.of(
                "[loop-1 tid=7];run_[j];inl_[i];interp_[0];c1_[1];syscall;sys_sendto_[k] 5")).svg());
        assertThat(frame(frames, "[loop-1 tid=7]").title(), containsString("(thread)"));
        assertThat(frame(frames, "run").title(), containsString("(Java, JIT-compiled)"));
        assertThat(frame(frames, "inl").title(), containsString("(Java, inlined)"));
        assertThat(frame(frames, "interp").title(), containsString("(Java, interpreted)"));
        assertThat(frame(frames, "c1").title(), containsString("(Java, C1-compiled)"));
        assertThat(frame(frames, "syscall").title(), containsString("(native (C/C++))"));
        assertThat(frame(frames, "sys_sendto").title(), containsString("(kernel)"));
        assertThat(frame(frames, "syscall").fill(), is(FlameGraphSvg.Kind.NATIVE.color("syscall")));
        assertThat(frame(frames, "sys_sendto").fill(), is(FlameGraphSvg.Kind.KERNEL.color("sys_sendto")));
        assertThat(frame(frames, "sys_sendto").fill(), not(frame(frames, "run").fill()));
        assertThat(FlameGraphSvg.Kind.KERNEL.base(), is("#ee8c2b")); // hsl(30, 85%, 55%)
    }

    @Test
    void anAllocationProfileCountsBytesAndItsLeavesAreAllocatedClasses() throws Exception {
        String svg = new FlameGraphSvg("alloc", Profile.ALLOC, List.of(
                "loop_[j];add_[i];java.lang.Object[]_[i] 3000",
                "loop_[j];big_[j];byte[]_[k] 1000")).svg();
        List<Frame> frames = frames(svg);
        assertThat(frame(frames, "add").title(), is("add (Java, inlined): 3,000 bytes, 75.00%"));
        assertThat(frame(frames, "java.lang.Object[]").title(),
                is("java.lang.Object[] (allocated class (in a new TLAB)): 3,000 bytes, 75.00%"));
        assertThat(frame(frames, "byte[]").title(),
                is("byte[] (allocated class (outside a TLAB)): 1,000 bytes, 25.00%"));
        assertThat(svg, containsString("4,000 bytes in all"));
    }

    @Test
    void frameNamesAndTitleAreEscaped() throws Exception {
        String svg = new FlameGraphSvg("echo <a&b> \"x\"", Profile.CPU, List.of(
                "java/util/List<T>.of_[j];a&b \"q\"_[j] 2", "ctl\u0001char 1")).svg();
        assertThat(svg, containsString("echo &lt;a&amp;b&gt; &quot;x&quot;"));
        List<Frame> frames = frames(svg);
        assertThat(frame(frames, "java/util/List<T>.of").label(), is("java/util/List<T>.of"));
        assertThat(frame(frames, "a&b \"q\"").title(), is("a&b \"q\" (Java, JIT-compiled): 2 samples, 66.67%"));
        assertThat(frame(frames, "ctl?char").width(), closeTo(PLOT / 3, 0.01));
    }

    @Test
    void labelsAreCutToTheirRectangle() throws Exception {
        String longName = "dev/loopwire/loop/selector/SelectorLoop.processReadyKeys";
        List<Frame> frames = frames(new FlameGraphSvg("t", Profile.CPU, List.of(
                "x;" + longName + " 5", "x;y 995")).svg());
        Frame cut = frame(frames, longName);
        // 5/1000 of 1180 px = 5.9 px: no room for 3 characters, so no label at all.
        assertThat(cut.label(), is(""));
        assertThat(FlameGraphSvg.fit(longName, 100), is("dev/loopwire..")); // (100 - 6) / 6.7 = 14 characters, ".." included
        assertThat(FlameGraphSvg.fit(longName, 1000), is(longName));
        assertThat(FlameGraphSvg.fit("abcdef", 27), is("a..")); // 3 characters fit
        assertThat(FlameGraphSvg.fit("abcdef", 26), is("")); // 2.98 characters do not
    }

    @Test
    void anEmptyProfileSaysSoInAWellFormedDocument() throws Exception {
        FlameGraphSvg empty = new FlameGraphSvg("loopwire-completion allocation", Profile.ALLOC, List.of("", "  "));
        String svg = empty.svg();
        assertThat(empty.total(), is(0L));
        assertThat(frames(svg), hasSize(0));
        assertThat(svg, containsString("No samples: the profile is empty"));
        assertThat(svg, containsString("loopwire-completion allocation"));
    }

    @Test
    void aLineWithoutACountIsRefusedWithItsNumberAndText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FlameGraphSvg("t", Profile.CPU, List.of("a;b 1", "a;b;c x12")));
        assertThat(e.getMessage(), is("line 2 'a;b;c x12' does not end in ' COUNT' (a whole number of samples);"
                + " expected 'frame;frame;...;leaf COUNT', as async-profiler's collapsed output writes"));
        assertThrows(IllegalArgumentException.class, () -> new FlameGraphSvg("t", Profile.CPU, List.of("a;b -3")));
        assertThrows(IllegalArgumentException.class, () -> new FlameGraphSvg("t", Profile.CPU, List.of("7")));
    }

    @Test
    void countsThatOverflowAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FlameGraphSvg("t",
                Profile.ALLOC, List.of("a 900000000000000000", "b 900000000000000000", "c 900000000000000000",
                        "d 900000000000000000", "e 900000000000000000", "f 900000000000000000",
                        "g 900000000000000000", "h 900000000000000000", "i 900000000000000000",
                        "j 900000000000000000", "k 900000000000000000")));
        assertThat(e.getMessage(), containsString("line 11 'k 900000000000000000': the counts add up past"));
    }

    @Test
    void framesTooNarrowToSeeAreLeftOutAndCounted() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("big 100000000");
        lines.add("tiny;tinier 1");
        String svg = new FlameGraphSvg("t", Profile.CPU, lines).svg();
        List<Frame> frames = frames(svg);
        assertThat(frames.stream().map(Frame::name).toList(), is(List.of("all", "big")));
        assertThat(svg, containsString("2 frames narrower than 0.1 px left out."));
    }

    @Test
    void mainWritesTheGraphOfAFile(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("p.collapsed");
        Files.writeString(in, "a_[j];b_[j] 3\na_[j] 1\n");
        Path out = dir.resolve("p.svg");
        FlameGraphSvg.main(new String[] {in.toString(), out.toString(), "server CPU", "cpu"});
        List<Frame> frames = frames(Files.readString(out));
        assertThat(frame(frames, "b").width(), closeTo(PLOT * 3 / 4, 0.01));
        assertThat(Files.readString(out), containsString(">server CPU</text>"));
    }

    /** Every drawn frame, parsed from {@code svg} as XML (which fails if it is not well-formed). */
    private static List<Frame> frames(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getLocalName(), is("svg"));
        List<Frame> frames = new ArrayList<>();
        NodeList groups = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            NodeList titles = g.getElementsByTagNameNS("*", "title");
            NodeList rects = g.getElementsByTagNameNS("*", "rect");
            if (titles.getLength() != 1 || rects.getLength() != 1) {
                continue;
            }
            Element rect = (Element) rects.item(0);
            NodeList texts = g.getElementsByTagNameNS("*", "text");
            frames.add(new Frame(titles.item(0).getTextContent(), Double.parseDouble(rect.getAttribute("x")),
                    Double.parseDouble(rect.getAttribute("y")), Double.parseDouble(rect.getAttribute("width")),
                    rect.getAttribute("fill"), texts.getLength() == 1 ? texts.item(0).getTextContent() : ""));
        }
        return frames;
    }

    private static Frame frame(List<Frame> frames, String name) {
        List<Frame> named = frames.stream().filter(f -> f.name().equals(name)).toList();
        assertThat("frames named '" + name + "'", named, hasSize(1));
        return named.get(0);
    }
}
