package io.hivestream.loadtests;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The cache benchmark's prompts: questions from templates with fillers (names and numbers), each
 * with a paraphrase. A mix of N prompts is half new questions, 30% exact repeats of an earlier one
 * and 20% paraphrases of an earlier one, seeded; each prompt knows its question, so that an answer
 * given to another question is a wrong hit.
 */
public final class CacheMix {
    /** A prompt of the mix and the question it asks. */
    public record Prompt(String text, int question, Kind kind) {}

    /** What a prompt is in the mix. */
    public enum Kind {
        NEW,
        REPEAT,
        PARAPHRASE
    }

    private record Template(String ask, String paraphrase, List<String> fillers) {
        String ask(String filler) {
            return String.format(ask, (Object[]) filler.split("\\|"));
        }

        String paraphrase(String filler) {
            return String.format(paraphrase, (Object[]) filler.split("\\|"));
        }
    }

    private static final List<String> COUNTRIES =
            List.of(
                    "Portugal",
                    "Chile",
                    "Kenya",
                    "Norway",
                    "Vietnam",
                    "Peru",
                    "Egypt",
                    "Canada",
                    "Poland",
                    "Ghana",
                    "Austria",
                    "Mexico",
                    "Nepal",
                    "Morocco",
                    "Finland",
                    "Greece",
                    "Colombia",
                    "Thailand",
                    "Ireland",
                    "Hungary",
                    "Senegal",
                    "Uruguay",
                    "Jordan",
                    "Iceland",
                    "Mongolia",
                    "Bolivia",
                    "Croatia",
                    "Tunisia",
                    "Malaysia",
                    "Ecuador");

    private static final List<Template> TEMPLATES =
            List.of(
                    new Template(
                            "What is the capital of %s?",
                            "Which city is the capital of %s?", COUNTRIES),
                    new Template(
                            "What currency does %s use?",
                            "Which currency is used in %s?", COUNTRIES),
                    new Template(
                            "Who wrote %s?",
                            "Who is the author of %s?",
                            List.of(
                                    "War and Peace",
                                    "Moby Dick",
                                    "Don Quixote",
                                    "Middlemarch",
                                    "Beloved",
                                    "Dracula",
                                    "Frankenstein",
                                    "Ulysses",
                                    "Emma",
                                    "Rebecca",
                                    "Persuasion",
                                    "Lolita",
                                    "Dune",
                                    "Siddhartha",
                                    "Walden",
                                    "Candide",
                                    "Hamlet",
                                    "Othello",
                                    "Faust",
                                    "Jane Eyre")),
                    new Template(
                            "When was %s born?",
                            "In what year was %s born?",
                            List.of(
                                    "Mozart",
                                    "Einstein",
                                    "Curie",
                                    "Darwin",
                                    "Newton",
                                    "Galileo",
                                    "Tolstoy",
                                    "Beethoven",
                                    "Picasso",
                                    "Gandhi",
                                    "Lincoln",
                                    "Shakespeare",
                                    "Kepler",
                                    "Turing",
                                    "Lovelace",
                                    "Tesla",
                                    "Cervantes",
                                    "Rembrandt",
                                    "Chopin",
                                    "Nightingale")),
                    new Template(
                            "How tall is Mount %s?",
                            "What is the height of Mount %s?",
                            List.of(
                                    "Kilimanjaro",
                                    "Everest",
                                    "Fuji",
                                    "Elbrus",
                                    "Denali",
                                    "Aconcagua",
                                    "Kosciuszko",
                                    "Olympus",
                                    "Etna",
                                    "Rainier",
                                    "Vesuvius",
                                    "Sinai",
                                    "Ararat",
                                    "Cook",
                                    "Kenya")),
                    new Template(
                            "What is the square root of %s?",
                            "Compute the square root of %s.", numbers(30, 2000)),
                    new Template("What is %s multiplied by %s?", "Multiply %s by %s.", pairs(40)),
                    new Template(
                            "Translate '%s' into %s.", "How do you say '%s' in %s?", phrases()));

    private final List<Prompt> prompts;

    private CacheMix(List<Prompt> prompts) {
        this.prompts = prompts;
    }

    /** Every question the templates can ask, once. */
    public static int questions() {
        return TEMPLATES.stream().mapToInt(t -> t.fillers().size()).sum();
    }

    /**
     * {@code n} prompts: a new question while any is left with probability 0.5, else an exact
     * repeat (0.3) or a paraphrase (0.2) of a question asked before.
     */
    public static CacheMix of(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> order = new ArrayList<>();
        for (int t = 0; t < TEMPLATES.size(); t++) {
            for (int f = 0; f < TEMPLATES.get(t).fillers().size(); f++) {
                order.add(new int[] {t, f});
            }
        }
        // A seeded shuffle, so that templates are mixed over the run.
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int[] swap = order.get(i);
            order.set(i, order.get(j));
            order.set(j, swap);
        }
        List<Prompt> prompts = new ArrayList<>(n);
        List<Integer> asked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double draw = random.nextDouble();
            if (asked.isEmpty() || (draw < 0.5 && asked.size() < order.size())) {
                int question = asked.size();
                asked.add(question);
                prompts.add(new Prompt(text(order.get(question), false), question, Kind.NEW));
                continue;
            }
            int question = asked.get(random.nextInt(asked.size()));
            boolean paraphrase = draw >= 0.8;
            prompts.add(
                    new Prompt(
                            text(order.get(question), paraphrase),
                            question,
                            paraphrase ? Kind.PARAPHRASE : Kind.REPEAT));
        }
        return new CacheMix(prompts);
    }

    public List<Prompt> prompts() {
        return prompts;
    }

    private static String text(int[] question, boolean paraphrase) {
        Template template = TEMPLATES.get(question[0]);
        String filler = template.fillers().get(question[1]);
        return paraphrase ? template.paraphrase(filler) : template.ask(filler);
    }

    private static List<String> numbers(int count, int bound) {
        SplittableRandom random = new SplittableRandom(7);
        List<String> numbers = new ArrayList<>();
        while (numbers.size() < count) {
            String n = Integer.toString(10 + random.nextInt(bound));
            if (!numbers.contains(n)) {
                numbers.add(n);
            }
        }
        return numbers;
    }

    private static List<String> pairs(int count) {
        SplittableRandom random = new SplittableRandom(11);
        List<String> pairs = new ArrayList<>();
        while (pairs.size() < count) {
            String pair = (2 + random.nextInt(98)) + "|" + (2 + random.nextInt(98));
            if (!pairs.contains(pair)) {
                pairs.add(pair);
            }
        }
        return pairs;
    }

    private static List<String> phrases() {
        List<String> phrases = new ArrayList<>();
        for (String phrase :
                List.of("thank you", "good night", "see you tomorrow", "where is the station")) {
            for (String language : List.of("Italian", "German", "Spanish", "Japanese", "Swahili")) {
                phrases.add(phrase + "|" + language);
            }
        }
        return phrases;
    }
}
