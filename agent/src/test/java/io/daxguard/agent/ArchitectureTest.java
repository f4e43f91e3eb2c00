package io.daxguard.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package boundaries of docs/ARCHITECTURE.md, checked on the compiled main classes of every module
 * on the agent's test class path (plugin-api, plugin-support, plugin-xfs, plugin-ext4 and the agent; test classes
 * and the test kit are left out).
 */
class ArchitectureTest {
    private static JavaClasses main;

    /** Main classes only: not this module's test classes, nor the test kit. */
    static final class MainClassesOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("plugin-testkit");
        }
    }

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(new MainClassesOnly()).importPackages("io.daxguard");
    }

    @Test
    void everyModuleIsOnTheClassPathBeingChecked() {
        // A rule over classes that were never imported passes whatever they do: make sure each module is there.
        for (String pkg : new String[] {"io.daxguard.spi", "io.daxguard.support.linux",
                "io.daxguard.support.index", "io.daxguard.xfs", "io.daxguard.ext4", "io.daxguard.agent.route"}) {
            assertThat(main.stream().anyMatch(type -> type.getPackageName().equals(pkg))).as(pkg).isTrue();
        }
    }

    @Test
    void noPackageCycleInAnyModule() {
        slices().matching("io.daxguard.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void theAgentNeverImportsAPluginClass() {
        noClasses().that().resideInAPackage("io.daxguard.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("io.daxguard.xfs..", "io.daxguard.ext4..")
                .check(main);
    }

    @Test
    void pluginsUseOnlyTheSpiItsSupportLibraryAndTheJdk() {
        classes().that().resideInAnyPackage("io.daxguard.xfs..", "io.daxguard.ext4..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.daxguard.xfs..", "io.daxguard.ext4..",
                        "io.daxguard.spi", "io.daxguard.support..", "com.sun.jna..", "java..", "javax..", "")
                .check(main);
        noClasses().that().resideInAPackage("io.daxguard.xfs..")
                .should().dependOnClassesThat().resideInAPackage("io.daxguard.ext4..").check(main);
        noClasses().that().resideInAPackage("io.daxguard.ext4..")
                .should().dependOnClassesThat().resideInAPackage("io.daxguard.xfs..").check(main);
    }

    @Test
    void theSpiDependsOnTheJdkAlone() {
        classes().that().resideInAPackage("io.daxguard.spi")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.daxguard.spi", "java..", "")
                .check(main);
    }

    @Test
    void theSupportLibraryUsesOnlyTheSpiJnaAndTheJdk() {
        classes().that().resideInAPackage("io.daxguard.support..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.daxguard.spi", "io.daxguard.support..",
                        "com.sun.jna..", "java..", "javax..", "")
                .check(main);
    }

    /**
     * The agent's packages in the flow of a failure tuple: each layer is used only by the layers above it, so a
     * newcomer can read the pipeline top to bottom.
     */
    @Test
    void agentPackagesPointOnlyDownTheFlow() {
        layeredArchitecture().consideringOnlyDependenciesInAnyPackage("io.daxguard.agent..")
                .layer("program").definedBy("io.daxguard.agent", "io.daxguard.agent.cli..")
                .layer("service").definedBy("io.daxguard.agent.daemon..", "io.daxguard.agent.demo..",
                        "io.daxguard.agent.remote..", "io.daxguard.agent.config..")
                .layer("views").definedBy("io.daxguard.agent.jmx..", "io.daxguard.agent.metrics..",
                        "io.daxguard.agent.hooks..")
                .layer("recovery").definedBy("io.daxguard.agent.recovery..")
                .layer("sources").definedBy("io.daxguard.agent.source..")
                .layer("route").definedBy("io.daxguard.agent.route..")
                .layer("owners").definedBy("io.daxguard.agent.owners..")
                .layer("failure").definedBy("io.daxguard.agent.failure..")
                .layer("holders").definedBy("io.daxguard.agent.plugins..", "io.daxguard.agent.paths..")
                .layer("foundation").definedBy("io.daxguard.agent.ledger..", "io.daxguard.agent.topology..",
                        "io.daxguard.agent.ranges..", "io.daxguard.agent.validation..")
                .whereLayer("program").mayNotBeAccessedByAnyLayer()
                .whereLayer("service").mayOnlyBeAccessedByLayers("program")
                .whereLayer("views").mayOnlyBeAccessedByLayers("program", "service")
                .whereLayer("recovery").mayOnlyBeAccessedByLayers("program", "service", "views")
                .whereLayer("sources").mayOnlyBeAccessedByLayers("program", "service", "views", "recovery")
                .whereLayer("route").mayOnlyBeAccessedByLayers("program", "service", "views", "recovery", "sources")
                .whereLayer("owners").mayOnlyBeAccessedByLayers("program", "service", "views", "recovery", "sources",
                        "route")
                .whereLayer("failure").mayOnlyBeAccessedByLayers("program", "service", "views", "recovery", "sources",
                        "route", "owners")
                .whereLayer("holders").mayOnlyBeAccessedByLayers("program", "service", "views", "recovery", "sources",
                        "route", "owners", "failure")
                .check(main);
    }
}
