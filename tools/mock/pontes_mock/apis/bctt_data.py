"""Fixture data of the BCTT Partners Portal mock (apis/bctt.py): taxonomies, seeds, the ESIS PDF.

Not a state module (it registers nothing).  Documented values (reference §4.12, [API-PROC]) are kept
exactly: district 1 "Aveiro", county 1 "ANADIA", parish 4186 "AVELAS DE CAMINHO", document type 924
"Formulário DL 44 CH Jovem", product scheme 1 "GENERAL", loan purpose 1 "ACQUISITION", product
purpose 2 "FIRST RESIDENCE", interest rate / index type sub-category 1 "FIXED", typology 1 "Flat",
key borrower relation 1 "Spouse", borrower type 1 "KeyBorrower".  Everything else is made up but
plausible (Portuguese districts with their real DGT codes, real counties and parishes).
"""

import unicodedata


def upper_plain(text):
    """ANADIA-style: upper case without accents (as the documented county/parish names)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.upper()) if unicodedata.category(c) != "Mn")


def items(*pairs):
    return [{"id": i, "description": d} for i, d in pairs]


def seq(*names, start=1):
    return [{"id": start + n, "description": d} for n, d in enumerate(names)]


COUNTRIES = seq("Portugal", "Espanha", "França", "Alemanha", "Reino Unido", "Suíça", "Luxemburgo", "Brasil",
                "Angola", "Moçambique", "Cabo Verde")
PORTUGAL = 1
# Portuguese districts (DGT codes; 31-32 Madeira, 41-49 Azores islands)
DISTRICTS = items((1, "Aveiro"), (2, "Beja"), (3, "Braga"), (4, "Bragança"), (5, "Castelo Branco"),
                  (6, "Coimbra"), (7, "Évora"), (8, "Faro"), (9, "Guarda"), (10, "Leiria"), (11, "Lisboa"),
                  (12, "Portalegre"), (13, "Porto"), (14, "Santarém"), (15, "Setúbal"),
                  (16, "Viana do Castelo"), (17, "Vila Real"), (18, "Viseu"), (31, "Ilha da Madeira"),
                  (32, "Ilha de Porto Santo"), (41, "Ilha de Santa Maria"), (42, "Ilha de São Miguel"),
                  (43, "Ilha Terceira"), (44, "Ilha da Graciosa"), (45, "Ilha de São Jorge"),
                  (46, "Ilha do Pico"), (47, "Ilha do Faial"), (48, "Ilha das Flores"), (49, "Ilha do Corvo"))
_COUNTY_NAMES = {
    1: ["Anadia", "Águeda", "Albergaria-a-Velha", "Arouca", "Aveiro", "Castelo de Paiva", "Espinho",
        "Estarreja", "Ílhavo", "Mealhada", "Murtosa", "Oliveira de Azeméis", "Oliveira do Bairro", "Ovar",
        "Santa Maria da Feira", "São João da Madeira", "Sever do Vouga", "Vagos", "Vale de Cambra"],
    2: ["Beja", "Moura", "Serpa"], 3: ["Braga", "Barcelos", "Guimarães", "Vila Nova de Famalicão"],
    4: ["Bragança", "Mirandela"], 5: ["Castelo Branco", "Covilhã", "Fundão"], 6: ["Coimbra", "Cantanhede", "Figueira da Foz"],
    7: ["Évora", "Estremoz"], 8: ["Faro", "Albufeira", "Lagos", "Loulé", "Portimão", "Tavira"],
    9: ["Guarda", "Seia"], 10: ["Leiria", "Alcobaça", "Caldas da Rainha", "Marinha Grande"],
    11: ["Lisboa", "Amadora", "Cascais", "Loures", "Oeiras", "Sintra", "Vila Franca de Xira"],
    12: ["Portalegre", "Elvas"], 13: ["Porto", "Gondomar", "Maia", "Matosinhos", "Valongo", "Vila Nova de Gaia"],
    14: ["Santarém", "Abrantes", "Tomar"], 15: ["Setúbal", "Almada", "Barreiro", "Seixal", "Sesimbra"],
    16: ["Viana do Castelo", "Ponte de Lima"], 17: ["Vila Real", "Chaves"], 18: ["Viseu", "Lamego"],
    31: ["Funchal", "Câmara de Lobos", "Santa Cruz"], 32: ["Porto Santo"], 41: ["Vila do Porto"],
    42: ["Ponta Delgada", "Ribeira Grande"], 43: ["Angra do Heroísmo", "Praia da Vitória"],
    44: ["Santa Cruz da Graciosa"], 45: ["Velas", "Calheta (São Jorge)"], 46: ["Madalena", "São Roque do Pico"],
    47: ["Horta"], 48: ["Santa Cruz das Flores", "Lajes das Flores"], 49: ["Corvo"],
}
COUNTIES = []          # {id, description, districtId}
_n = 1
for _d, _names in _COUNTY_NAMES.items():
    for _name in _names:
        COUNTIES.append({"id": _n, "description": upper_plain(_name), "districtId": _d})
        _n += 1
_PARISH_NAMES = {
    "ANADIA": (4184, ["Amoreira da Gândara, Paredes do Bairro e Ancas", "Arcos e Mogofores", "Avelãs de Caminho",
                      "Avelãs de Cima", "Moita", "Sangalhos", "São Lourenço do Bairro",
                      "Tamengos, Aguim e Óis do Bairro", "Vila Nova de Monsarros", "Vilarinho do Bairro"]),
    "AVEIRO": (4301, ["Esgueira", "Glória e Vera Cruz", "Santa Joana", "São Bernardo", "Aradas", "Cacia",
                      "Oliveirinha", "São Jacinto"]),
    "AGUEDA": (4350, ["Águeda e Borralha", "Aguada de Cima", "Fermentelos", "Valongo do Vouga"]),
    "LISBOA": (11001, ["Alvalade", "Areeiro", "Arroios", "Avenidas Novas", "Belém", "Campo de Ourique",
                       "Estrela", "Misericórdia", "Parque das Nações", "Santa Maria Maior", "Santo António"]),
    "CASCAIS": (11101, ["Alcabideche", "Carcavelos e Parede", "Cascais e Estoril", "São Domingos de Rana"]),
    "PORTO": (13001, ["Bonfim", "Campanhã", "Paranhos", "Ramalde", "Lordelo do Ouro e Massarelos",
                      "Cedofeita, Santo Ildefonso, Sé, Miragaia, São Nicolau e Vitória"]),
    "COIMBRA": (6001, ["Santo António dos Olivais", "Eiras e São Paulo de Frades", "Sé Nova, Santa Cruz, Almedina e São Bartolomeu"]),
    "FARO": (8001, ["Faro (Sé e São Pedro)", "Montenegro", "Santa Bárbara de Nexe"]),
    "FUNCHAL": (31001, ["Sé", "Santa Maria Maior", "São Martinho", "Santo António"]),
}
PARISHES = []          # {id, description, countyId}
_county_by_name = {c["description"]: c["id"] for c in COUNTIES}
for _cname, (_first, _names) in _PARISH_NAMES.items():
    for _i, _name in enumerate(_names):
        PARISHES.append({"id": _first + _i, "description": upper_plain(_name), "countyId": _county_by_name[_cname]})

DOCUMENT_CATEGORIES = seq("Other", "Identification", "Income", "Property", "Banking", "Insurance")
# (id, description, category id)
DOCUMENT_TYPE_ROWS = [
    (901, "Cartão de Cidadão", 2), (902, "Passaporte", 2), (903, "Título de Residência", 2),
    (904, "Declaração de IRS", 3), (905, "Nota de Liquidação de IRS", 3), (906, "Recibos de Vencimento", 3),
    (907, "Declaração da Entidade Patronal", 3), (908, "Mapa de Responsabilidades do Banco de Portugal", 5),
    (909, "Extratos Bancários", 5), (910, "Caderneta Predial", 4), (911, "Certidão de Registo Predial", 4),
    (912, "Licença de Utilização", 4), (913, "Contrato-Promessa de Compra e Venda", 4),
    (914, "Ficha Técnica da Habitação", 4), (915, "Certificado Energético", 4),
    (920, "Simulação de Seguro de Vida", 6), (921, "Simulação de Seguro Multirriscos", 6),
    (924, "Formulário DL 44 CH Jovem", 1), (925, "Declaração de Consentimento RGPD", 1),
]
DOCUMENT_TYPES = [{"id": i, "description": d} for i, d, _ in DOCUMENT_TYPE_ROWS]
DOCUMENT_CATEGORY_OF = {i: c for i, _, c in DOCUMENT_TYPE_ROWS}

SIMULATION_STATES = items((1, "In Simulation"), (2, "Validated"), (3, "Converted to Process"), (4, "Cancelled"))
SIM_DRAFT, SIM_VALIDATED, SIM_CONVERTED, SIM_CANCELLED = 1, 2, 3, 4
PROCESS_STATES = items((1, "In Creation"), (2, "In Review"), (3, "In Acceptance"), (4, "In Analysis"),
                       (5, "Approved"), (6, "Rejected"), (7, "Cancelled"), (8, "Contracted"),
                       (9, "Awaits Documents"))
PROC_IN_CREATION, PROC_IN_REVIEW, PROC_CANCELLED, PROC_CONTRACTED = 1, 2, 7, 8
BORROWER_TYPES = items((1, "KeyBorrower"), (2, "Borrower"), (3, "Guarantor"))
KEY_BORROWER = 1
DOCUMENT_STATUSES = items((1, "Pending"), (2, "Active"), (3, "Rejected"))
BRANCHES = items((213, "LOJA VIRTUAL CC"), (10, "Lisbon - Centro"), (101, "Porto - Boavista"),
                 (102, "Aveiro - Centro"), (103, "Coimbra - Baixa"), (104, "Faro - Marina"))
NOTIFICATION_TYPES = items((1, "Process status changed"), (2, "Process document requested"),
                           (3, "Process message received"), (4, "Simulation status changed"),
                           (5, "Simulation message received"), (6, "Credit decision issued"),
                           (7, "Contract date scheduled"))
NOTIFY_PROCESS_STATUS, NOTIFY_SIMULATION_STATUS = 1, 4

# operationId -> items of the plain taxonomies (the "With" variants and the filtered ones are in bctt.py)
TAXONOMIES = {
    "BrokerTypesGet": seq("Intermediário de Crédito Vinculado", "Intermediário de Crédito a Título Acessório",
                          "Intermediário de Crédito Não Vinculado"),
    "BrokerSubTypesGet": seq("Pessoa Singular", "Pessoa Coletiva", "Empresário em Nome Individual"),
    "BrokerClassificationsGet": seq("Bronze", "Prata", "Ouro", "Platina"),
    "BrokerFeeTypesGet": seq("Comissão de Produção", "Comissão de Abertura", "Comissão de Manutenção"),
    "BrokerStatusesGet": seq("Ativo", "Inativo", "Suspenso", "Em Registo"),
    "BrokerIVARegimesGet": seq("Regime Normal", "Isento (artigo 53.º do CIVA)", "Isento (artigo 9.º do CIVA)"),
    "BrokerRetentionRegimesGet": seq("Sem Retenção na Fonte", "Retenção na Fonte 25%", "Retenção na Fonte 11,5%"),
    "BrokerExtractPeriodicityGet": seq("Mensal", "Trimestral", "Semestral", "Anual"),
    "CountriesGet": COUNTRIES,
    "DocumentTypesGet": DOCUMENT_TYPES,
    "DocumentCategoriesGet": DOCUMENT_CATEGORIES,
    "ProductPurposesGet": seq("OWN PERMANENT RESIDENCE", "FIRST RESIDENCE", "SECONDARY RESIDENCE", "RENTAL"),
    "LoanPurposesGet": seq("ACQUISITION", "CONSTRUCTION", "ACQUISITION AND WORKS", "CREDIT TRANSFER", "WORKS",
                           "LAND ACQUISITION"),
    "ProductSchemesGet": seq("GENERAL", "PUBLIC GUARANTEE - YOUNG PEOPLE (DL 44/2024)", "GREEN HOME"),
    "IndexTypeSubCategoriesGet": seq("FIXED", "VARIABLE", "MIXED"),
    "IndexTypesGet": seq("Euribor 3 meses", "Euribor 6 meses", "Euribor 12 meses", "Fixa 10 anos",
                         "Fixa 20 anos", "Fixa 30 anos"),
    "IndexTypeListMixedGet": seq("Mista 2 anos + Euribor 12 meses", "Mista 5 anos + Euribor 12 meses",
                                 "Mista 10 anos + Euribor 6 meses"),
    "FixedFixedPeriodGet": items((120, "120 meses"), (180, "180 meses"), (240, "240 meses"), (300, "300 meses"),
                                 (360, "360 meses")),
    "MixedFixedPeriodGet": items((24, "24 meses"), (36, "36 meses"), (60, "60 meses"), (120, "120 meses")),
    "BankChargeTypesGet": seq("Comissão de Avaliação", "Comissão de Dossier", "Imposto do Selo sobre o Crédito",
                              "Imposto do Selo sobre Juros", "Comissão de Processamento de Prestação",
                              "Registo de Hipoteca", "Escritura"),
    "PropertyTypologiesGet": seq("Flat", "House", "Semi-detached House", "Townhouse", "Urban Land",
                                 "Mixed Use Building"),
    "EntityTypesGet": seq("Pessoa Singular", "Pessoa Coletiva"),
    "IdentificationDocumentsGet": seq("Cartão de Cidadão", "Bilhete de Identidade", "Passaporte",
                                      "Título de Residência", "Certificado de Registo de Cidadão da UE"),
    "MaritalStatusesGet": seq("Solteiro(a)", "Casado(a)", "União de Facto", "Divorciado(a)",
                              "Separado(a) Judicialmente de Pessoas e Bens", "Viúvo(a)"),
    "MatrimonialRegimesGet": seq("Comunhão de Adquiridos", "Comunhão Geral de Bens", "Separação de Bens"),
    "ResidenceTypesGet": seq("Habitação Própria", "Arrendada", "Casa de Familiares", "Cedida pela Entidade Patronal"),
    "GendersGet": seq("Masculino", "Feminino"),
    "ProfessionsGet": seq("Engenheiro(a)", "Professor(a)", "Médico(a)", "Enfermeiro(a)", "Advogado(a)",
                          "Economista", "Técnico(a) Administrativo(a)", "Comercial", "Informático(a)", "Outra"),
    "EmploymentContractTypesGet": seq("Contrato sem Termo", "Contrato a Termo Certo", "Contrato a Termo Incerto",
                                      "Prestação de Serviços", "Nomeação Definitiva (Função Pública)"),
    "EmploymentSituationsGet": seq("Trabalhador por Conta de Outrem", "Trabalhador por Conta Própria",
                                   "Empresário(a)", "Reformado(a)", "Desempregado(a)", "Estudante"),
    "EmploymentDepartmentPositionsGet": seq("Administração", "Direção", "Quadro Superior", "Quadro Médio",
                                            "Técnico(a)", "Administrativo(a)", "Operacional"),
    "KeyBorrowerRelationsGet": seq("Spouse", "Domestic Partner", "Parent", "Child", "Sibling", "Other"),
    "ProposalCancelReasonsGet": seq("Desistência do Cliente", "Proposta de Outra Instituição",
                                    "Imóvel Não Adquirido", "Processo Duplicado", "Outro"),
    "ProposalRejectReasonsGet": seq("Taxa de Esforço Elevada", "LTV Excedido",
                                    "Incidentes na Central de Responsabilidades", "Documentação Insuficiente",
                                    "Outro"),
    "SimulationRejectReasonsGet": seq("Simulação Expirada", "Condições Não Aceites pelo Cliente",
                                      "Fora da Política de Crédito", "Outro"),
    "WorkflowPhasesGet": seq("Simulação", "Proposta", "Análise", "Aprovação", "Contratação"),
    "WorkflowStatesSimulationGet": SIMULATION_STATES,
    "WorkflowStatesProposalGet": PROCESS_STATES,
}
# filtered / nested ones: operationId -> (items, filter member of the items, query parameter, child key, children)
DISTRICTS_PT = [dict(d, countryId=PORTUGAL) for d in DISTRICTS]

FIRST_NAMES = ["João", "Maria", "Ana", "Pedro", "Rita", "Tiago", "Inês", "Miguel", "Sofia", "Rui", "Catarina",
               "Nuno", "Beatriz", "Bruno", "Joana", "Filipe", "Marta", "Ricardo", "Carla", "André"]
LAST_NAMES = ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus",
              "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro",
              "Pinto", "Carvalho"]
STREETS = ["Rua Direita", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Comércio", "Avenida Central",
           "Rua 25 de Abril", "Travessa da Fonte", "Rua Dr. António José de Almeida"]


def nif(rng):
    """A Portuguese tax number (NIF) with a valid check digit, first digit 1-3 (natural persons)."""
    digits = [rng.randint(1, 3)] + [rng.randint(0, 9) for _ in range(7)]
    s = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
    check = 11 - s % 11
    digits.append(0 if check >= 10 else check)
    return "".join(map(str, digits))


def _pdf_text(s):
    b = s.encode("cp1252", "replace")
    return b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(lines):
    """A small valid one-page PDF (Helvetica, WinAnsi) showing lines; bytes."""
    content = b"BT /F1 11 Tf 56 780 Td 15 TL\n" + b"".join(b"(" + _pdf_text(x) + b") Tj T*\n" for x in lines) + b"ET\n"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)
