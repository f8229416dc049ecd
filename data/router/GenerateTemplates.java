import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes data/router/templated.jsonl: labelled prompts made from templates with slots, seeded, so
 * the same file comes out every time. Run from the repository root:
 *
 * <pre>java data/router/GenerateTemplates.java</pre>
 *
 * A template is a kind, a label, and a text with {slot} placeholders; each placeholder is filled
 * with one of its values, chosen by a Random seeded with 20251125. Templates come in pairs that
 * cross the obvious cues: short prompts that need a large model (a proof, a lock-free queue) and
 * long prompts a small model answers (a one-sentence summary of a plain text), so that length
 * alone does not decide the label. See README.md in this folder.
 */
public final class GenerateTemplates {
    private static final long SEED = 20251125L;
    private static final Pattern SLOT = Pattern.compile("\\{(\\w+)\\}");

    record Template(String name, String kind, String label, int count, String text) {}

    static final java.util.Map<String, String[]> SLOTS = new java.util.HashMap<>();

    static void slot(String name, String... values) {
        SLOTS.put(name, values);
    }

    public static void main(String[] args) throws IOException {
        slot("greeting", "Hi", "Hello", "Hey", "Good morning", "Good evening");
        slot("smalltalk", "how are you today", "what can you do", "are you there",
                "can you help me with something", "nice to meet you");
        slot("country", "France", "Japan", "Kenya", "Peru", "Norway", "Vietnam", "Canada",
                "Egypt", "Chile", "Poland");
        slot("word", "serendipity", "ephemeral", "ubiquitous", "candid", "frugal", "resilient",
                "meticulous", "ambiguous", "benevolent", "pragmatic");
        slot("review", "The battery lasts all day and the screen is gorgeous.",
                "It broke after two days and support never answered.",
                "Delivery was on time, nothing special about the product.",
                "Absolutely love the taste, will buy again!",
                "The hotel room was dirty and the staff were rude.",
                "Decent value for the price, though the strap feels cheap.",
                "Worst purchase this year, total waste of money.",
                "The course was clear, well paced and fun.");
        slot("complaint", "I was charged twice for my subscription this month.",
                "My parcel says delivered but nothing arrived.",
                "The app logs me out every time I open settings.",
                "Can I get a copy of last month's invoice?",
                "The courier left my package at the wrong address.",
                "Password reset emails never reach my inbox.");
        slot("plain", "The city council met on Tuesday to discuss a new bike lane.",
                "Most members supported the plan.", "Some shop owners worried about parking.",
                "The lane will run along the river for two kilometres.",
                "Work is expected to start in the spring.", "The budget is about one million euros.",
                "A public meeting will be held next month.",
                "Residents can send comments by email until the end of March.",
                "The local school welcomed the idea.", "Cyclists have asked for it for years.");
        slot("person", "Maria Lopez", "Tom Becker", "Aiko Tanaka", "Samuel Okafor", "Lena Novak");
        slot("domain", "example.com", "mail.org", "company.net", "shop.io");
        slot("month", "January", "March", "June", "September", "November");
        slot("a", "12", "48", "7", "125", "36", "99", "250", "17");
        slot("b", "3", "6", "9", "4", "15", "11", "8", "25");
        slot("op", "+", "-", "*", "/");
        slot("pct", "5", "10", "15", "20", "25", "40");
        slot("convert", "5 kilometres to miles", "30 degrees Celsius to Fahrenheit",
                "10 kilograms to pounds", "3 hours to minutes", "2 litres to millilitres");
        slot("lang", "Python", "JavaScript", "Java", "Go", "Ruby");
        slot("simplefn", "returns the sum of a list of numbers", "reverses a string",
                "checks whether a number is even", "returns the largest item of a list",
                "counts the vowels in a word", "converts a list of strings to upper case");
        slot("snippet", "len(items)", "x = x + 1", "print(name.upper())", "items.sort()",
                "return a if a > b else b", "const total = prices.reduce((s, p) => s + p, 0);");
        slot("target", "French", "Spanish", "German", "Italian", "Portuguese", "Dutch");
        slot("phrase", "Good morning, how are you?", "Where is the train station?",
                "Thank you very much", "I would like a coffee, please", "See you tomorrow",
                "The meeting is at three o'clock");
        slot("event", "a picnic", "a birthday party", "a weekend camping trip", "breakfast for four",
                "a movie night");
        slot("dilemma", "leaving a stable job to start a company with a friend",
                "moving abroad for my partner's career while my parents are getting older",
                "telling my manager that a colleague takes credit for my work",
                "choosing between a PhD offer and a well-paid industry job",
                "selling my flat now or waiting for interest rates to fall");
        slot("clause", "The Supplier shall process Customer personal data only on documented"
                + " instructions, except where required by law, in which case the Supplier"
                + " shall inform the Customer before processing unless that law prohibits such"
                + " information on important grounds of public interest; the Customer may audit"
                + " the Supplier once a year at its own cost, and the Supplier's liability under"
                + " this clause is capped at the fees paid in the preceding twelve months.",
                "Either party may terminate this agreement with ninety days' notice; however, the"
                + " Licensee shall remain liable for all minimum royalties accrued through the end"
                + " of the then-current term, and any sublicenses granted prior to termination"
                + " shall survive only if the sublicensee agrees in writing to be bound directly"
                + " by the Licensor's terms within thirty days.");
        slot("report", "At 02:14 the primary database stopped accepting writes. The on-call"
                + " engineer, Priya, restarted the replica at 02:31, but the failover script"
                + " promoted the wrong node. Marcus noticed the stale reads at 02:50 and rolled"
                + " back the promotion; he then found that a disk had filled up because log"
                + " rotation had been disabled during last week's migration. Service recovered at"
                + " 03:40, although the status page said 03:25.",
                "The shipment left the Rotterdam warehouse on 4 May according to the carrier, but"
                + " the customs record shows 6 May. The buyer, Delta Foods, reported on 12 May that"
                + " two pallets were missing; the carrier claims they were delivered to a"
                + " subcontractor who signed for them under the buyer's name. Our account manager"
                + " promised a refund by phone, which contradicts the written terms.");
        slot("statement", "there are infinitely many prime numbers",
                "the square root of 2 is irrational",
                "every tree with n vertices has exactly n - 1 edges",
                "the sum of the first n odd numbers is n squared",
                "a continuous function on a closed interval attains a maximum",
                "there is no largest even number");
        slot("integrand", "x^2 * e^x", "x * ln(x)", "sin(x)^2", "1 / (1 + x^2)", "x^3 * cos(x)");
        slot("system", "a thread-safe LRU cache with time-based expiry",
                "a token-bucket rate limiter shared by several processes",
                "a lock-free single-producer single-consumer queue",
                "an interval tree that supports insert, delete and overlap queries",
                "a retry policy with exponential backoff, jitter and a circuit breaker",
                "a consistent-hashing ring with virtual nodes");
        slot("bug", "deadlocks under load", "leaks memory after a few hours",
                "returns wrong totals when two requests arrive at once",
                "is fast locally but times out in production");
        slot("buggy", "synchronized (a) { synchronized (b) { transfer(); } }\n"
                + "// elsewhere: synchronized (b) { synchronized (a) { refund(); } }",
                "cache = {}\ndef get(key):\n    if key not in cache:\n        cache[key] = load(key)\n"
                + "    return cache[key]",
                "for (let i = 0; i < jobs.length; i++) {\n  setTimeout(() => run(jobs[i]), 0);\n}",
                "if balance >= amount:\n    time.sleep(0.01)\n    balance -= amount");
        slot("literary", "a sonnet about the sea", "a paragraph of a software licence",
                "a wedding speech full of puns", "a medical consent form",
                "a haiku about autumn rain");
        slot("hardtarget", "Japanese", "Arabic", "Finnish", "Korean", "Hungarian");
        slot("x", "PostgreSQL", "Kafka", "Kubernetes", "a monolith", "server-side rendering",
                "event sourcing");
        slot("y", "MongoDB", "RabbitMQ", "plain virtual machines", "microservices",
                "a single-page app", "a CRUD database");
        slot("usecase", "a payments platform with strict audit requirements",
                "a startup of three engineers shipping weekly",
                "an IoT fleet of 200,000 devices with flaky connectivity",
                "a newsroom that publishes thousands of articles a day");
        slot("goal", "migrate our monolith to services without downtime",
                "launch our app in three new countries",
                "cut our cloud bill by thirty percent",
                "move the data team from nightly batches to streaming",
                "introduce on-call rotations in a team that never had them");
        slot("horizon", "six-month", "quarterly", "one-year", "twelve-week");
        slot("puzzle", "Three boxes are labelled apples, oranges and mixed, and every label is"
                + " wrong. You may take one fruit from one box.",
                "A farmer must cross a river with a wolf, a goat and a cabbage, taking one at a"
                + " time.",
                "Five people sit in a row; Anna is not at either end, Ben sits next to Carl, and"
                + " Dana sits two seats right of Anna.",
                "You have two ropes that each burn in exactly one hour, but unevenly.");
        slot("n1", "3", "4", "5", "6");
        slot("speed", "60", "75", "80", "90");

        List<Template> templates = List.of(
                // EDGE: short, one step, a small model answers well.
                new Template("chat_greeting", "chat", "EDGE", 10, "{greeting}, {smalltalk}?"),
                new Template("chat_capital", "chat", "EDGE", 10, "What is the capital of {country}?"),
                new Template("chat_define", "chat", "EDGE", 10,
                        "Define the word '{word}' in one sentence."),
                new Template("classify_sentiment", "classify", "EDGE", 14,
                        "Classify the sentiment of this review as positive, negative or neutral: \"{review}\""),
                new Template("classify_ticket", "classify", "EDGE", 12,
                        "Label this support ticket as billing, shipping or technical: {complaint}"),
                new Template("summarize_plain", "summarize", "EDGE", 14,
                        "Summarize in one sentence: {plain} {plain} {plain} {plain} {plain} {plain}"),
                new Template("extract_email", "extract", "EDGE", 10,
                        "Extract the email address from this note: Please contact {person} at info@{domain} before the end of {month}."),
                new Template("extract_date", "extract", "EDGE", 8,
                        "Which month is mentioned here? {person} will visit the office in {month}."),
                new Template("math_arith", "math", "EDGE", 14, "What is {a} {op} {b}?"),
                new Template("math_percent", "math", "EDGE", 8, "What is {pct}% of {a}0?"),
                new Template("math_convert", "math", "EDGE", 8, "Convert {convert}."),
                new Template("code_simple", "code", "EDGE", 14,
                        "Write a {lang} function that {simplefn}."),
                new Template("code_explain", "code", "EDGE", 8, "What does `{snippet}` do?"),
                new Template("translate_phrase", "translate", "EDGE", 14,
                        "Translate '{phrase}' into {target}."),
                new Template("reasoning_compare", "reasoning", "EDGE", 8,
                        "Is {a} larger than {b}? Answer yes or no."),
                new Template("planning_list", "planning", "EDGE", 8,
                        "Give me a short shopping list for {event}."),
                // EDGE although long: plain texts, one easy operation.
                new Template("classify_long_review", "classify", "EDGE", 8,
                        "Is this review positive or negative? {review} {review} {review} {review}"),
                new Template("extract_list", "extract", "EDGE", 8,
                        "List the names of people mentioned in this text: {person} met {person} in {month}. {plain} {plain} Later {person} joined them. {plain}"),
                // CLOUD: several steps, judgement, long inputs worked on as a whole.
                new Template("chat_dilemma", "chat", "CLOUD", 12,
                        "I'm torn about {dilemma}. Walk me through the trade-offs, ask me the questions I should be asking myself, and help me decide what to weigh most."),
                new Template("classify_clause", "classify", "CLOUD", 8,
                        "Classify each obligation in this clause by party, risk level (low, medium, high) and whether it could conflict with GDPR, and justify every decision: {clause}"),
                new Template("summarize_contrast", "summarize", "CLOUD", 10,
                        "Summarize this incident for the board, then contrast what each person did, point out where the timestamps contradict each other, and recommend two process changes: {report}"),
                new Template("extract_nested", "extract", "CLOUD", 10,
                        "From the report below, extract every person, their role, the ordered timeline of their actions and the root cause as nested JSON. Resolve pronouns and flag conflicting times.\n{report}"),
                new Template("math_proof", "math", "CLOUD", 12, "Prove that {statement}."),
                new Template("math_integral", "math", "CLOUD", 10,
                        "Compute the integral of {integrand} from 0 to {n1} and explain each step of the derivation."),
                new Template("math_word_problem", "math", "CLOUD", 10,
                        "A train leaves at 9:00 at {speed} km/h. A second train leaves the same station at 10:00 at {a} km/h on a parallel track. First work out when the second train catches up, then how far from the station that is, and finally whether it happens before a {n1}-hour shift ends. Show your reasoning."),
                new Template("code_system", "code", "CLOUD", 14,
                        "Implement {system} in {lang}. It must handle edge cases and concurrent use, include unit tests, and explain the time and space complexity of each operation."),
                new Template("code_debug", "code", "CLOUD", 12,
                        "This {lang} code {bug}. Find the bug, explain the root cause and propose a fix:\n```\n{buggy}\n```"),
                new Template("translate_literary", "translate", "CLOUD", 10,
                        "Translate {literary} into {hardtarget}, preserving tone, wordplay and register, then explain the choices you made where no direct equivalent exists."),
                new Template("reasoning_puzzle", "reasoning", "CLOUD", 10,
                        "{puzzle} How do you solve it? Explain your reasoning step by step and show why no shorter solution exists."),
                new Template("reasoning_compare_tech", "reasoning", "CLOUD", 12,
                        "Compare {x} and {y} for {usecase}. Weigh cost, operational risk and team skills, and justify a recommendation."),
                new Template("planning_program", "planning", "CLOUD", 12,
                        "Draft a {horizon} plan to {goal}: milestones, dependencies between teams, risks with mitigations, staffing and a rough budget."),
                // CLOUD although short: the request itself is hard.
                new Template("code_short_hard", "code", "CLOUD", 8, "Write {system} in {lang}."),
                new Template("math_short_hard", "math", "CLOUD", 6, "Why is it true that {statement}?"));

        Random random = new Random(SEED);
        Set<String> seen = new LinkedHashSet<>();
        List<String> lines = new ArrayList<>();
        for (Template template : templates) {
            int made = 0;
            int tries = 0;
            while (made < template.count() && tries++ < template.count() * 50) {
                String input = fill(template.text(), random);
                if (!seen.add(input)) {
                    continue;
                }
                made++;
                lines.add(
                        "{\"input\":"
                                + json(input)
                                + ",\"kind\":\""
                                + template.kind()
                                + "\",\"capabilities\":[\""
                                + template.kind()
                                + "\"],\"label\":\""
                                + template.label()
                                + "\",\"source\":\"template:"
                                + template.name()
                                + "\"}");
            }
        }
        Path out = Path.of("data/router/templated.jsonl");
        Files.write(out, lines);
        System.out.println("wrote " + lines.size() + " prompts to " + out);
    }

    private static String fill(String text, Random random) {
        Matcher m = SLOT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String[] values = SLOTS.get(m.group(1));
            if (values == null) {
                throw new IllegalStateException("no slot " + m.group(1));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(values[random.nextInt(values.length)]));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
